/**
 * Benchmark (issue 17): a server dry run of 2,000 ConfigMaps pasted as custom YAML, Nestlab's
 * AppsService against `kubectl apply --server-side --dry-run=server -f` of the same file, on the
 * real 1.20 API server. The two are alternated three times in one run and the medians compared;
 * target: Nestlab <= 1.1x kubectl (both wait on the same API server).
 *
 * Run: npm run bench -- yaml-dry-run   (about a minute)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { kubeconfigProvider, runKubectl, startControlPlane } from '../tests/harness/index.js';
import { AppsService } from '../src/main/apps/apps-service';

const OBJECTS = 2000;
const ROUNDS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const yaml = Array.from(
  { length: OBJECTS },
  (_, index) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bulk-${index}\n  namespace: bulk\ndata:\n  index: "${index}"\n`,
).join('---\n');
const dir = await mkdtemp(join(tmpdir(), 'nestlab-bench-yaml-'));
const controlPlane = await startControlPlane();
const service = new AppsService({
  catalogDir: join(import.meta.dirname, '../resources/catalog'),
  registryMirror: () => Promise.resolve(''),
  provider: kubeconfigProvider(controlPlane.adminKubeconfig, 'lab'),
});
try {
  console.log(
    `Load average before: ${loadavg()
      .map((load) => load.toFixed(1))
      .join(', ')}`,
  );
  const path = join(dir, 'bulk.yaml');
  await writeFile(path, yaml);
  const created = await runKubectl(controlPlane.adminKubeconfigPath, ['create', 'namespace', 'bulk']);
  if (created.exitCode !== 0) throw new Error(`kubectl create namespace: ${created.stderr}`);
  const kubectlMs: number[] = [];
  const nestlabMs: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    let start = performance.now();
    const kubectl = await runKubectl(controlPlane.adminKubeconfigPath, ['apply', '--server-side', '--dry-run=server', '-f', path], {
      timeoutMs: 300_000,
    });
    kubectlMs.push(performance.now() - start);
    if (kubectl.exitCode !== 0) throw new Error(`kubectl dry run failed: ${kubectl.stderr}`);
    start = performance.now();
    const result = await service.dryRunYaml({ context: 'lab', namespace: 'bulk', yaml, operationId: `bench-${round}` });
    nestlabMs.push(performance.now() - start);
    if (result.status !== 'done' || result.results.filter((r) => r.outcome === 'created').length !== OBJECTS) {
      throw new Error('Nestlab dry run did not report every ConfigMap as created');
    }
  }
  const ratio = median(nestlabMs) / median(kubectlMs);
  console.log(`kubectl dry run (median of ${ROUNDS})      ${Math.round(median(kubectlMs)).toString().padStart(7)} ms`);
  console.log(`Nestlab dry run (median of ${ROUNDS})      ${Math.round(median(nestlabMs)).toString().padStart(7)} ms`);
  console.log(
    `Nestlab / kubectl                        ${ratio.toFixed(2).padStart(7)} x  target <= 1.10x ${ratio <= 1.1 ? 'OK' : 'MISSED'}`,
  );
} finally {
  service.dispose();
  await controlPlane.stop();
  await rm(dir, { recursive: true, force: true });
}
