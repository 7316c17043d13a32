/**
 * Custom YAML against the real 1.20 API server, as kubectl users paste it: a Namespace at the
 * top of the objects that live in it, a namespace the YAML does not create (and "create
 * namespace X"), quickstart manifests whose ports omit `protocol` (a 1.20 server refuses their
 * server-side apply with a 500), a dry run that agrees with the apply about "unchanged", every
 * refusal naming its document and field, and 2,000 ConfigMaps with progress and cancel (their
 * time against kubectl's is bench/yaml-dry-run.ts).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeconfigProvider, KubeRestClient, runKubectl, startControlPlane } from '../../harness/index.js';
import type { ControlPlane } from '../../harness/index.js';
import { AppsService } from '../../../src/main/apps/apps-service';
import type { YamlApplyResult, YamlProgress } from '../../../src/shared/contract/apps';
import { tempDir } from '../../harness/temp-dir';

const CATALOG = join(import.meta.dirname, '../../../resources/catalog');

let controlPlane: ControlPlane;
let admin: KubeRestClient;
let service: AppsService;
let dir: string;
const progress: YamlProgress[] = [];

beforeAll(async () => {
  controlPlane = await startControlPlane();
  admin = new KubeRestClient(controlPlane.admin);
  service = new AppsService({
    catalogDir: CATALOG,
    registryMirror: () => Promise.resolve(''),
    provider: kubeconfigProvider(controlPlane.adminKubeconfig, 'lab'),
  });
  service.onDidYamlProgress((event) => progress.push(event));
  dir = await tempDir('yaml');
});

afterAll(async () => {
  service?.dispose();
  await controlPlane?.stop();
});

function outcomes(result: YamlApplyResult): string[] {
  if (result.status !== 'done') throw new Error(`not done: ${JSON.stringify(result)}`);
  return result.results.map(
    (r) => `${r.document ?? '-'} ${r.object.kind}/${r.object.name} ${r.outcome}${r.error ? `: ${r.error.message}` : ''}`,
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await admin.request('GET', path);
    return true;
  } catch {
    return false;
  }
}

/** A quickstart's shape (the azure-vote all-in-one manifest): no `protocol` on any port, no namespace. */
const VOTE_LIKE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: vote-back
spec:
  replicas: 1
  selector:
    matchLabels: {app: vote-back}
  template:
    metadata:
      labels: {app: vote-back}
    spec:
      containers:
      - name: redis
        image: redis:6
        ports:
        - containerPort: 6379
          name: redis
---
apiVersion: v1
kind: Service
metadata:
  name: vote-back
spec:
  ports:
  - port: 6379
  selector: {app: vote-back}
---
apiVersion: v1
kind: Service
metadata:
  name: vote-front
spec:
  type: LoadBalancer
  ports:
  - port: 80
  selector: {app: vote-front}
`;

describe('custom YAML as kubectl apply -f reads it', () => {
  it('applies a Namespace at the top first: the dry run counts it as existing and writes nothing', async () => {
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data: {mode: blue}
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
`;
    const dryRun = await service.dryRunYaml({ context: 'lab', namespace: 'default', yaml });
    expect(outcomes(dryRun)).toEqual(['2 Namespace/shop created', '1 ConfigMap/settings created']);
    if (dryRun.status !== 'done') return;
    expect(dryRun.missingNamespaces).toEqual([]);
    expect(dryRun.results[1]?.notes?.[0]).toContain('namespace shop does not exist until the apply creates it');
    expect(await exists('/api/v1/namespaces/shop')).toBe(false);

    const applied = await service.applyYaml({ context: 'lab', namespace: 'default', yaml });
    expect(outcomes(applied)).toEqual(['2 Namespace/shop created', '1 ConfigMap/settings created']);
    expect(await exists('/api/v1/namespaces/shop/configmaps/settings')).toBe(true);
  });

  it('names a namespace the YAML does not create, and creates it when asked', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c1\ndata: {a: "1"}\n';
    const dryRun = await service.dryRunYaml({ context: 'lab', namespace: 'new-team', yaml });
    expect(dryRun.status === 'done' && dryRun.missingNamespaces).toEqual(['new-team']);
    expect(dryRun.status === 'done' && dryRun.results[0]?.error?.message).toBe(
      'Document 1, ConfigMap new-team/c1: namespace new-team does not exist and this YAML does not create it. Choose "Create namespace new-team", add a Namespace document for it at the top, or set another namespace.',
    );

    const request = { context: 'lab', namespace: 'new-team', yaml, createNamespaces: ['new-team'] };
    expect(outcomes(await service.dryRunYaml(request))).toEqual(['- Namespace/new-team created', '1 ConfigMap/c1 created']);
    expect(outcomes(await service.applyYaml(request))).toEqual(['- Namespace/new-team created', '1 ConfigMap/c1 created']);
    const namespace = await admin.request<{ metadata: { labels: Record<string, string> } }>('GET', '/api/v1/namespaces/new-team');
    expect(namespace.metadata.labels['app.kubernetes.io/managed-by']).toBe('nestlab');
  });

  it('applies a quickstart whose ports omit protocol on a 1.20 server, saying what it set', async () => {
    // What the old code sent: the server's own refusal, to prove the manifest needs the defaults.
    const raw = await runKubectl(controlPlane.adminKubeconfigPath, [
      'apply',
      '--server-side',
      '--dry-run=server',
      '-f',
      await file('vote.yaml', VOTE_LIKE),
    ]);
    expect(raw.stderr).toContain('omits key field');

    const dryRun = await service.dryRunYaml({ context: 'lab', namespace: 'vote', yaml: VOTE_LIKE, createNamespaces: ['vote'] });
    expect(outcomes(dryRun)).toEqual([
      '- Namespace/vote created',
      '1 Deployment/vote-back created',
      '2 Service/vote-back created',
      '3 Service/vote-front created',
    ]);
    if (dryRun.status !== 'done') return;
    expect(dryRun.results[1]?.notes).toContain(
      "Set protocol: TCP (the server's own default) on spec.template.spec.containers[0].ports[0].protocol: Kubernetes before 1.21 refuses a server-side apply that omits it.",
    );
    expect(dryRun.results[2]?.notes?.join(' ')).toContain('spec.ports[0].protocol');

    const applied = await service.applyYaml({ context: 'lab', namespace: 'vote', yaml: VOTE_LIKE, createNamespaces: ['vote'] });
    expect(applied.status === 'done' && applied.results.every((r) => r.outcome === 'created')).toBe(true);
    const front = await admin.request<{ spec: { ports: { protocol: string }[] } }>('GET', '/api/v1/namespaces/vote/services/vote-front');
    expect(front.spec.ports[0]?.protocol).toBe('TCP');
  });

  it('a dry run of what is already applied says "unchanged", as the apply then does', async () => {
    const request = { context: 'lab', namespace: 'vote', yaml: VOTE_LIKE };
    const dryRun = await service.dryRunYaml(request);
    expect(dryRun.status === 'done' && dryRun.results.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const applied = await service.applyYaml(request);
    expect(applied.status === 'done' && applied.results.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);

    // Right after an apply the Deployment controller is still writing its status: not a change.
    const fresh = VOTE_LIKE.replace(/vote-back/g, 'vote-fresh').replace('replicas: 1', 'replicas: 3');
    expect((await service.applyYaml({ ...request, yaml: fresh })).status).toBe('done');
    const right = await service.dryRunYaml({ ...request, yaml: fresh });
    expect(right.status === 'done' && right.results.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);

    const changed = VOTE_LIKE.replace('replicas: 1', 'replicas: 2');
    const next = await service.dryRunYaml({ ...request, yaml: changed });
    expect(next.status === 'done' && next.results.map((r) => r.outcome)).toEqual(['configured', 'unchanged', 'unchanged']);
  });

  it('names the document and the field of a refusal, and what to do', async () => {
    const yaml = `apiVersion: v1
kind: ConfigMap
metadata: {name: fine}
---
apiVersion: v1
kind: Service
metadata: {name: broken}
spec:
  ports:
  - port: 70000
    protocol: TCP
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
`;
    const result = await service.dryRunYaml({ context: 'lab', namespace: 'vote', yaml });
    if (result.status !== 'done') throw new Error('not done');
    expect(result.results[0]?.outcome).toBe('created');
    const broken = result.results[1]!;
    expect(broken.error?.code).toBe('INVALID_INPUT');
    expect(broken.error?.message).toMatch(
      /^Document 2, Service vote\/broken: the API server refused it: spec\.ports\[0\]\.port: Invalid value: 70000/,
    );
    expect(broken.error?.message).toContain('Correct those fields in document 2, then run the dry run again.');
    expect(broken.error?.details).toMatchObject({ field: 'spec.ports[0].port', document: 2 });
    expect(result.results[2]?.error?.message).toMatch(
      /^Document 3, Widget w: The server does not offer example\.com\/v1\. Check apiVersion and kind in document 3/,
    );
  });

  it('dry-runs 2,000 ConfigMaps with progress, and an apply can be cancelled part way', async () => {
    const yaml = Array.from(
      { length: 2000 },
      (_, index) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bulk-${index}\n  namespace: bulk\ndata:\n  index: "${index}"\n`,
    ).join('---\n');
    expect((await runKubectl(controlPlane.adminKubeconfigPath, ['create', 'namespace', 'bulk'])).exitCode).toBe(0);

    // How its time compares with kubectl's is measured by bench/yaml-dry-run.ts, not here.
    progress.length = 0;
    const dryRun = await service.dryRunYaml({ context: 'lab', namespace: 'bulk', yaml, operationId: 'bulk-dry-run' });
    expect(dryRun.status === 'done' && dryRun.results.filter((r) => r.outcome === 'created')).toHaveLength(2000);
    const mine = progress.filter((p) => p.operationId === 'bulk-dry-run');
    expect(mine.length).toBeGreaterThan(2);
    expect(mine.at(-1)).toMatchObject({ done: 2000, total: 2000, dryRun: true });
    expect(mine.some((p) => p.done > 0 && p.done < 2000 && p.current?.kind === 'ConfigMap')).toBe(true);

    // Cancel once a few hundred are written: the rest are not sent.
    progress.length = 0;
    const stop = service.onDidYamlProgress((event) => {
      if (event.operationId === 'bulk-apply' && event.done >= 300) void service.cancelYaml('bulk-apply');
    });
    const applied = await service.applyYaml({ context: 'lab', namespace: 'bulk', yaml, operationId: 'bulk-apply' });
    stop.dispose();
    if (applied.status !== 'done') throw new Error('not done');
    expect(applied.cancelled).toBe(true);
    const created = applied.results.filter((r) => r.outcome === 'created').length;
    const skipped = applied.results.filter((r) => r.outcome === 'skipped').length;
    expect(created).toBeGreaterThanOrEqual(300);
    expect(skipped).toBeGreaterThan(0);
    expect(created + skipped).toBe(2000);
    const list = await admin.request<{ items: { metadata: { name: string } }[] }>('GET', '/api/v1/namespaces/bulk/configmaps');
    expect(list.items.filter((item) => item.metadata.name.startsWith('bulk-'))).toHaveLength(created);
  }, 240_000);
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}
