/// <reference lib="dom" />
/**
 * Benchmark (issue 10): following a pod's log at 10,000 lines/s in the Pods view, in Chromium
 * against browser mode. The real 1.20 API server proxies the log from the harness's simulated
 * kubelet, which writes generated lines (with ANSI colours) at the asked rate.
 * Figure: frame time p95 from requestAnimationFrame deltas while following; target < 33 ms.
 * Also printed: lines per second that reached the view (before the 100,000-line ring fills).
 *
 * Run: npm run bench -- log-follow   (builds the app first; about a minute)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { labNodeSpecs, runKubectl, startControlPlane, startSimulatedNodes, waitFor } from '../tests/harness/index.js';
import { AppPage } from '../tests/e2e/pages/app-page';
import { ClustersPage } from '../tests/e2e/pages/clusters-page';
import { PodsPage } from '../tests/e2e/pages/pods-page';
import { startBrowserModeServer } from '../tests/e2e/support/browser-mode-server';
import { launchChromium } from '../tests/e2e/support/chromium';

const RATE = 10_000;
const MEASURE_MS = 20_000;
const BASELINE_MS = 10_000;
const NAMESPACE = 'bench-logs';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

console.log('Building the app (electron-vite build)...');
console.log(
  `Load average before: ${loadavg()
    .map((load) => load.toFixed(1))
    .join(', ')}`,
);
execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'ignore' });

const controlPlane = await startControlPlane();
const simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
const dir = await mkdtemp(join(tmpdir(), 'nestlab-bench-logs-'));
const manifest = join(dir, 'app.yaml');
await writeFile(
  manifest,
  `apiVersion: v1
kind: Namespace
metadata: { name: ${NAMESPACE} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: chatty, namespace: ${NAMESPACE} }
spec:
  replicas: 1
  selector: { matchLabels: { app: chatty } }
  template:
    metadata: { labels: { app: chatty } }
    spec:
      nodeSelector: { kubernetes.io/os: linux }
      containers: [{ name: app, image: example.invalid/chatty:1 }]
`,
);
const applied = await runKubectl(controlPlane.adminKubeconfigPath, ['apply', '-f', manifest]);
if (applied.exitCode !== 0) throw new Error(applied.stderr);
await waitFor(
  async () =>
    (
      await runKubectl(controlPlane.adminKubeconfigPath, [
        '-n',
        NAMESPACE,
        'get',
        'pods',
        '--field-selector=status.phase=Running',
        '-o',
        'name',
      ])
    ).stdout.trim() !== '',
  { timeout: 30_000, description: 'the chatty pod Running' },
);

process.env.KUBECONFIG = controlPlane.adminKubeconfigPath;
const server = await startBrowserModeServer(dir);
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // tsx (esbuild keepNames) wraps named functions in __name(); page.evaluate callbacks run in the page.
  await context.addInitScript('window.__name = (fn) => fn;');
  const app = new AppPage(await context.newPage());
  const pageErrors: string[] = [];
  app.page.on('pageerror', (error) => pageErrors.push(error.message));
  app.page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await app.open(server.url);
  await app.waitConnected();
  await app.openView('Clusters');
  await new ClustersPage(app.page).importPath(controlPlane.adminKubeconfigPath);
  await app.page.getByText('Reachable').first().waitFor({ timeout: 20_000 });
  await app.openView('Pods');
  const pods = new PodsPage(app.page);
  await pods.showNamespace(NAMESPACE);
  const row = app.page.locator('tr[data-pod^="chatty-"]').first();
  await row.waitFor({ timeout: 15_000 });
  const pod = (await row.getAttribute('data-pod'))!;

  await pods.action(pod, 'Logs of').click();
  await waitFor(async () => (await pods.lineCount()) > 100, { timeout: 20_000, description: 'the log open' });
  // Frame intervals (requestAnimationFrame deltas) and the page's long tasks (> 50 ms of script, layout or GC).
  await app.page.evaluate(() => {
    const state = { frames: [] as number[], longTasks: [] as number[] };
    (window as unknown as { __bench: typeof state }).__bench = state;
    const tick = (time: number) => {
      state.frames.push(time);
      if (state.frames.length < 100_000) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) state.longTasks.push(entry.duration);
    }).observe({ type: 'longtask' });
  });
  const take = async () => {
    const state = await app.page.evaluate(() => {
      const bench = (window as unknown as { __bench: { frames: number[]; longTasks: number[] } }).__bench;
      return { frames: bench.frames.splice(0), longTasks: bench.longTasks.splice(0) };
    });
    return { frames: state.frames.slice(1).map((time, index) => time - state.frames[index]!), longTasks: state.longTasks };
  };
  const describe = (label: string, sample: { frames: number[]; longTasks: number[] }) =>
    console.log(
      `  ${label}: ${sample.frames.length} frames, frame time p50 ${percentile(sample.frames, 50).toFixed(1)} ms, ` +
        `p90 ${percentile(sample.frames, 90).toFixed(1)} ms, p95 ${percentile(sample.frames, 95).toFixed(1)} ms, ` +
        `max ${Math.max(...sample.frames).toFixed(1)} ms, ${((100 * sample.frames.filter((ms) => ms > 20).length) / sample.frames.length).toFixed(1)}% over 20 ms; ` +
        `long tasks ${sample.longTasks.length} (${sample.longTasks.reduce((a, b) => a + b, 0).toFixed(0)} ms)`,
    );
  // Baseline: the same page with the log open at 1 line/s (what the machine's load alone costs).
  await take();
  await app.page.waitForTimeout(BASELINE_MS);
  const baseline = await take();

  simulation.kubelets!.setLogRate(RATE, { namespace: NAMESPACE });
  await waitFor(async () => (await pods.lineCount()) > 5_000, { timeout: 20_000, description: 'the log following at full rate' });
  await take();
  // NESTLAB_BENCH_PROFILE=1 prints where the page spends its time while following (CPU profile).
  const profiler = process.env.NESTLAB_BENCH_PROFILE === '1' ? await context.newCDPSession(app.page) : undefined;
  await profiler?.send('Profiler.enable');
  await profiler?.send('Profiler.start');
  const start = performance.now();
  const firstCount = await pods.lineCount();
  let rateSample: { lines: number; ms: number } | undefined;
  while (performance.now() - start < MEASURE_MS) {
    await app.page.waitForTimeout(500);
    if (!(await pods.logStatus.isVisible())) {
      await app.page.screenshot({ path: '/tmp/nestlab-log-follow-failure.png' });
      throw new Error(`The logs view went away; page errors:\n${pageErrors.join('\n')}`);
    }
    const count = await pods.lineCount();
    // The ring holds 100,000 lines; the rate is read before it is full.
    if (count < 95_000) rateSample = { lines: count - firstCount, ms: performance.now() - start };
  }
  const following = await take();
  if (profiler) {
    const { profile } = await profiler.send('Profiler.stop');
    const selfTime = new Map<string, number>();
    const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.samples?.length ?? 1);
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    for (const sample of profile.samples ?? []) {
      const frame = byId.get(sample)?.callFrame;
      const key = frame ? `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber}` : '?';
      selfTime.set(key, (selfTime.get(key) ?? 0) + interval / 1000);
    }
    console.log('  page CPU profile, self time:');
    for (const [name, ms] of [...selfTime.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
      console.log(`    ${ms.toFixed(0).padStart(7)} ms  ${name}`);
    }
  }
  const frames = following.frames;
  const status = (await pods.logStatus.textContent()) ?? '';
  const rendered = (await pods.renderedLogLines()).length;
  const p95 = percentile(frames, 95);
  console.log(`Log follow at ${RATE.toLocaleString('en')} lines/s (simulated kubelet -> kube-apiserver 1.20 -> browser mode -> Chromium):`);
  describe(`baseline, 1 line/s, ${BASELINE_MS / 1000} s`, baseline);
  describe(`following ${RATE.toLocaleString('en')} lines/s, ${MEASURE_MS / 1000} s`, following);
  if (rateSample) {
    console.log(`  lines reaching the view: ${Math.round((rateSample.lines / rateSample.ms) * 1000).toLocaleString('en')} lines/s`);
  }
  console.log(`  view at the end: "${status}", ${rendered} rows in the DOM`);
  console.log(`  frame time p95 target < 33 ms: ${p95 < 33 ? 'OK' : 'MISSED'}`);
} finally {
  await browser.close();
  await server.stop();
  await simulation.stop();
  await controlPlane.stop();
  await rm(dir, { recursive: true, force: true });
}
