/**
 * Benchmark: the Pods view at 30,000 pods on 300 nodes (NESTLAB_BENCH_PODS, default 30,000),
 * filled into the real 1.20 control plane by tests/harness/pod-fill.ts (some Windows nodes, a
 * few failing pods, two NotReady nodes). Prints each figure next to its target
 * (docs/BENCHMARKS.md, issue "30,000 pods"):
 * - first rows after the snapshot: from the list's answer reaching the page (its WebSocket
 *   message) until rows are in the DOM: < 1 s; the click -> answer part (the main process's
 *   paged list into rows, and the transport) is printed beside it, with a raw HTTPS list of the
 *   same pods and `kubectl get pods -A -o json` measured in the same run, and the bytes per row;
 * - scroll frame time p95 (wheel scrolls, then jumps as a dragged scrollbar makes): < 33 ms;
 * - filter answer (name typed a key at a time, namespace picked, label selector typed): from the
 *   input event to the next frame with the new count: < 100 ms;
 * - sort by age, restarts, status and name over every row: from the header click to the next frame.
 * The fixture's set-up time is printed apart from the figures. The page is driven over a bare
 * DevTools connection (bench/_bare-chromium.ts): Playwright's would copy the 10 MB answer frame
 * to the driver. Playwright only imports the kubeconfig first, in its own browser.
 *
 * Run: npm run bench -- pods-list   (builds the app unless NESTLAB_BENCH_NO_BUILD=1; at 30,000
 * pods the fixture takes several minutes). NESTLAB_BENCH_SCREENSHOTS=DIR saves the view.
 */
import { spawn } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { request as httpsRequest } from 'node:https';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppPage } from '../tests/e2e/pages/app-page';
import { ClustersPage } from '../tests/e2e/pages/clusters-page';
import { launchChromium } from '../tests/e2e/support/chromium';
import { kubeconfigProvider, startControlPlane } from '../tests/harness/index.js';
import { fillCluster, scaleControlPlaneOptions } from '../tests/harness/pod-fill.js';
import { PodsService } from '../src/main/pods/pods-service';
import { launchBareChromium, type BarePage } from './_bare-chromium';
import { buildApp, load, startBenchServer } from './_terminal-support';

const PODS = Number(process.env.NESTLAB_BENCH_PODS ?? 30_000);
const CONTEXT = 'nestlab-admin@nestlab-test';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
function median(values: number[]): number {
  return percentile(values, 50);
}
function report(name: string, value: number, unit: string, target: string, ok: boolean): void {
  console.log(
    `${name.padEnd(52)} ${value.toFixed(value < 100 ? 1 : 0).padStart(8)} ${unit.padEnd(3)} target ${target.padEnd(10)} ${ok ? 'OK' : 'MISSED'}`,
  );
}
function info(name: string, value: string): void {
  console.log(`  ${name.padEnd(50)} ${value}`);
}

/** A raw HTTPS GET of the pods, paged or in one answer, reading (not parsing) the bodies: the floor of any client. */
async function rawList(port: number, token: string, ca: string, pageSize?: number): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  let bytes = 0;
  let continueToken = '';
  do {
    const query = new URLSearchParams(pageSize ? { limit: String(pageSize), ...(continueToken ? { continue: continueToken } : {}) } : {});
    const body = await new Promise<string>((resolve, reject) => {
      const request = httpsRequest(
        { host: '127.0.0.1', port, path: `/api/v1/pods?${query.toString()}`, headers: { Authorization: `Bearer ${token}` }, ca },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end();
    });
    bytes += body.length;
    // Only the continue token is read; the page itself stays text.
    continueToken = pageSize ? (/"continue":"([^"]*)"/.exec(body.slice(0, 2_000))?.[1] ?? '') : '';
  } while (continueToken);
  return { ms: performance.now() - started, bytes };
}

async function timeKubectl(kubeconfig: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'get', 'pods', '-A', '-o', 'json'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout.resume();
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kubectl exited ${code}`))));
  });
  return performance.now() - started;
}

/**
 * The service's own part of the answer: PodsService.listPods in this process (the paged list
 * decoded into rows and sorted), no transport. Against the raw paged list it says whether a slow
 * answer is the list or what carries it to the page.
 */
async function timeServiceList(kubeconfig: string): Promise<{ ms: number; heapMb: number; gcMs: number }> {
  const service = new PodsService({ provider: kubeconfigProvider(kubeconfig, CONTEXT) });
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  try {
    const started = performance.now();
    const rows = await service.listPods({ context: CONTEXT });
    const ms = performance.now() - started;
    if (rows.length !== PODS) throw new Error(`the service listed ${rows.length} pods, not ${PODS}`);
    return { ms, heapMb: process.memoryUsage().heapUsed / 1024 / 1024, gcMs };
  } finally {
    gc.disconnect();
    await service.dispose();
  }
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Notes when each large WebSocket message reaches the page, before the app's own listeners run. */
const MESSAGE_PROBE = `(() => {
  const Native = window.WebSocket;
  window.__bigMessages = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        window.__messages = (window.__messages ?? 0) + 1;
        const size = typeof event.data === 'string' ? event.data.length : (event.data.byteLength ?? event.data.size ?? 0);
        if (size > 100000) window.__bigMessages.push({ at: performance.now(), size });
      });
    }
  };
})();`;

/** Page helpers, evaluated once: a frame recorder, and an input or click timed to the next frame with `done` true. */
const PAGE_HELPERS = `(() => {
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
  window.__bench = {
    count: () => document.querySelector('[data-testid="pods-count"]')?.textContent ?? '',
    firstRow: () => document.querySelector('tr[data-pod]')?.getAttribute('data-pod') ?? '',
    async timed(act, done) {
      const started = performance.now();
      act();
      // React renders an input's update before the next task (a discrete event's sync lane).
      await new Promise((resolve) => setTimeout(resolve, 0));
      while (!done()) {
        await nextFrame();
        if (performance.now() - started > 30000) throw new Error('no answer within 30 s; count: ' + __bench.count());
      }
      // The frame that shows it.
      return (await nextFrame()) - started;
    },
    setInput(element, value) {
      const prototype = element instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
      Object.getOwnPropertyDescriptor(prototype, 'value').set.call(element, value);
      element.dispatchEvent(new Event(element instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
    },
    field(label) {
      return [...document.querySelectorAll('.pods-filters label')].find((element) => element.firstChild.textContent.trim() === label).querySelector('input, select');
    },
    frames: [],
    recording: false,
    record() {
      this.frames = [];
      this.recording = true;
      const tick = (time) => {
        this.frames.push(time);
        if (this.recording) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    },
    stop() {
      this.recording = false;
      return this.frames.slice(1).map((time, index) => time - this.frames[index]);
    },
  };
})();`;

async function typeTimed(page: BarePage, label: string, text: string): Promise<number[]> {
  const times: number[] = [];
  for (let length = 1; length <= text.length; length += 1) {
    const value = text.slice(0, length);
    times.push(
      await page.evaluate<number>(`(() => {
        const field = __bench.field(${JSON.stringify(label)});
        // Two keystrokes can leave the same rows (web-000, web-0000): the count is no signal here.
        return __bench.timed(() => __bench.setInput(field, ${JSON.stringify(value)}), () => true);
      })()`),
    );
  }
  return times;
}

async function clearFilter(page: BarePage, label: string, all: string): Promise<void> {
  await page.evaluate(`__bench.setInput(__bench.field(${JSON.stringify(label)}), '')`);
  await page.waitFor(`__bench.count() === ${JSON.stringify(all)}`);
}

buildApp();
console.log(`Filling the control plane with ${PODS.toLocaleString('en-US')} pods (tests/harness/pod-fill.ts)…`);
const controlPlane = await startControlPlane(scaleControlPlaneOptions(PODS));
const dataDir = await mkdtemp(join(tmpdir(), 'nestlab-bench-pods-'));
let stopFill: (() => Promise<void>) | undefined;
try {
  // No kubelet endpoints: the list needs no logs or exec.
  const filled = await fillCluster(controlPlane, {
    pods: PODS,
    simulation: { kubelets: false },
    onProgress: (line) => console.log(`  ${line}`),
  });
  stopFill = () => filled.stop();
  const { plan } = filled;
  console.log(
    `Fixture ready in ${(filled.timings.totalMs / 1000).toFixed(0)} s: ${plan.totals.pods} pods on ${plan.totals.nodes} nodes (${plan.totals.windowsNodes} Windows), ${plan.totals.deployments} Deployments, ${plan.failing.length} failing pods, NotReady nodes ${plan.notReadyNodes.join(', ')}.`,
  );

  // References on the same API server, in the same run.
  const ca = controlPlane.caCertPem;
  const rawPaged: number[] = [];
  const rawWhole: number[] = [];
  const kubectl: number[] = [];
  const serviceList: number[] = [];
  let serviceHeapMb = 0;
  const serviceGc: number[] = [];
  let rawBytes = 0;
  for (let round = 0; round < 3; round += 1) {
    const paged = await rawList(controlPlane.apiServerPort, controlPlane.adminToken, ca, 500);
    rawPaged.push(paged.ms);
    const listed = await timeServiceList(controlPlane.adminKubeconfig);
    serviceList.push(listed.ms);
    serviceHeapMb = listed.heapMb;
    serviceGc.push(listed.gcMs);
    const whole = await rawList(controlPlane.apiServerPort, controlPlane.adminToken, ca);
    rawWhole.push(whole.ms);
    rawBytes = whole.bytes;
    kubectl.push(await timeKubectl(controlPlane.adminKubeconfigPath));
  }

  const server = await startBenchServer(dataDir);
  try {
    // Import the kubeconfig as a user does (Playwright, its own browser, closed before measuring).
    const setup = await launchChromium();
    const app = new AppPage(await (await setup.newContext()).newPage());
    await app.open(server.url);
    await app.waitConnected();
    await app.openView('Clusters');
    const clusters = new ClustersPage(app.page);
    await clusters.importPath(controlPlane.adminKubeconfigPath);
    await clusters.status(CONTEXT).getByText('Reachable').waitFor({ timeout: 60_000 });
    await setup.close();

    const browser = await launchBareChromium();
    try {
      const page = await browser.open(server.url, { width: 1600, height: 1000 });
      await page.send('Page.addScriptToEvaluateOnNewDocument', { source: MESSAGE_PROBE });
      await page.send('Page.reload');
      // Until the reloaded page answers (an evaluation in the page being replaced fails).
      for (let attempt = 0; ; attempt += 1) {
        const ready = await page
          .evaluate<boolean>(`Array.isArray(window.__bigMessages) && document.body.textContent.includes('Connected to Nestlab server')`)
          .catch(() => false);
        if (ready) break;
        if (attempt > 600) throw new Error('the reloaded page did not connect within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await page.evaluate(PAGE_HELPERS);
      const all = `${PODS.toLocaleString('en-US')} of ${PODS.toLocaleString('en-US')} pods`;

      // The machine's floor: the same wheel steps over the view the page opened on, which draws
      // almost nothing (frames there miss only because the machine is busy).
      await page.evaluate(`__bench.record()`);
      for (let i = 0; i < 90; i += 1) {
        await page.send('Input.dispatchMouseEvent', { type: 'mouseWheel', x: 800, y: 500, deltaX: 0, deltaY: i < 60 ? 400 : -400 });
        await new Promise((resolve) => setTimeout(resolve, 16));
      }
      const floorFrames = await page.evaluate<number[]>(`__bench.stop()`);

      // 1. First rows: the Pods view lists every namespace when it opens.
      const first = await page.evaluate<{ clickToAnswer: number; answerToRows: number; answerSize: number }>(`(async () => {
        const button = [...document.querySelectorAll('nav[aria-label="Main"] button')].find((element) => element.textContent.trim() === 'Pods');
        const messagesBefore = window.__bigMessages.length;
        const started = performance.now();
        button.click();
        await new Promise((resolve) => {
          const check = () => (window.__bigMessages.length > messagesBefore && document.querySelector('tr[data-pod]') && __bench.count() === ${JSON.stringify(all)}) ? resolve() : requestAnimationFrame(check);
          requestAnimationFrame(check);
        });
        const rowsAt = performance.now();
        const answer = window.__bigMessages.at(-1);
        return { clickToAnswer: answer.at - started, answerToRows: rowsAt - answer.at, answerSize: answer.size };
      })()`);
      const firstRow = await page.evaluate<string>(
        `(() => { const row = document.querySelector('tr[data-pod]'); return row.getAttribute('data-pod') + ' (' + row.getAttribute('data-health') + ')'; })()`,
      );
      const problemsText = await page.evaluate<string>(`document.querySelector('.pods-problems')?.textContent ?? ''`);
      const serverRss = await rssMb(server.pid);

      // 2. Scroll: wheel steps over the table, then jumps as a dragged scrollbar makes.
      const box = await page.evaluate<{ x: number; y: number }>(`(() => {
        const rect = document.querySelector('[data-testid="pods-table"]').getBoundingClientRect();
        return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
      })()`);
      const messagesBefore = await page.evaluate<number>(`window.__messages ?? 0`);
      await page.evaluate(`__bench.record()`);
      for (let i = 0; i < 90; i += 1) {
        await page.send('Input.dispatchMouseEvent', { type: 'mouseWheel', x: box.x, y: box.y, deltaX: 0, deltaY: i < 60 ? 400 : -400 });
        await new Promise((resolve) => setTimeout(resolve, 16));
      }
      const wheelFrames = await page.evaluate<number[]>(`__bench.stop()`);
      const jumpFrames = await page.evaluate<number[]>(`(async () => {
        const scroller = document.querySelector('[data-testid="pods-table"]');
        __bench.record();
        for (let i = 0; i < 60; i += 1) {
          scroller.scrollTop = ((i * 7919) % 100) / 100 * scroller.scrollHeight;
          await new Promise((resolve) => requestAnimationFrame(resolve));
        }
        return __bench.stop();
      })()`);
      // Changes of the followed list arriving meanwhile (each re-sorts every row).
      const messagesDuringScroll = (await page.evaluate<number>(`window.__messages ?? 0`)) - messagesBefore;
      await page.evaluate(`document.querySelector('[data-testid="pods-table"]').scrollTop = 0`);
      const scrollFrames = [...wheelFrames, ...jumpFrames];

      // 3. Filters: a failing pod's Deployment name typed a key at a time; its namespace; its app label.
      const failing = plan.failing[0]!;
      const nameTimes = await typeTimed(page, 'Name', failing.deployment);
      const nameCount = await page.evaluate<string>(`__bench.count()`);
      await clearFilter(page, 'Name', all);
      const namespaceMs = await page.evaluate<number>(`(() => {
        const before = __bench.count();
        return __bench.timed(() => __bench.setInput(__bench.field('Show namespace'), ${JSON.stringify(failing.namespace)}), () => __bench.count() !== before);
      })()`);
      const namespaceCount = await page.evaluate<string>(`__bench.count()`);
      await page.evaluate(`__bench.setInput(__bench.field('Show namespace'), '')`);
      await page.waitFor(`__bench.count() === ${JSON.stringify(all)}`);
      const labelTimes = await typeTimed(page, 'Labels', `app=${failing.deployment}`);
      const labelCount = await page.evaluate<string>(`__bench.count()`);
      await clearFilter(page, 'Labels', all);

      // 4. Sorts over every row: each header click until the next frame with the new order.
      const sorts: [string, number][] = [];
      for (const header of ['Age', 'Restarts', 'Name', 'Namespace', 'Node', 'Status']) {
        sorts.push([
          header,
          await page.evaluate<number>(`(() => {
            const button = [...document.querySelectorAll('thead .sort-button')].find((element) => element.textContent.replace(/[▲▼]/g, '').trim() === ${JSON.stringify(header)});
            const before = button.closest('th').getAttribute('aria-sort');
            return __bench.timed(() => button.click(), () => button.closest('th').getAttribute('aria-sort') !== before);
          })()`),
        ]);
      }
      console.log('');
      console.log(`Load average ${load()}; ${PODS.toLocaleString('en-US')} pods.`);
      report('first rows after the snapshot (answer -> rows)', first.answerToRows, 'ms', '< 1000 ms', first.answerToRows < 1000);
      info('click -> answer in the page (list + transport)', `${first.clickToAnswer.toFixed(0)} ms`);
      info(
        'raw HTTPS list of the pods (paged 500 / whole)',
        `median ${median(rawPaged).toFixed(0)} ms / ${median(rawWhole).toFixed(0)} ms, ${(rawBytes / 1024 / 1024).toFixed(1)} MB`,
      );
      info(
        'PodsService.listPods in process (no transport)',
        `median ${median(serviceList).toFixed(0)} ms = ${(median(serviceList) / median(rawPaged)).toFixed(2)}x the raw paged list; GC ${median(serviceGc).toFixed(0)} ms of it; heap after ${serviceHeapMb.toFixed(0)} MB`,
      );
      info('kubectl get pods -A -o json', `median ${median(kubectl).toFixed(0)} ms`);
      info(
        'answer size (rows as JSON)',
        `${(first.answerSize / 1024 / 1024).toFixed(1)} MB, ${(first.answerSize / PODS).toFixed(0)} bytes per pod (raw: ${(rawBytes / PODS).toFixed(0)})`,
      );
      info('first row (problems first)', `${firstRow}; "${problemsText}"`);
      info('browser-mode server RSS with the list loaded', `${serverRss.toFixed(0)} MB`);
      const scrollP95 = percentile(scrollFrames, 95);
      report(`scroll frame time p95 (${scrollFrames.length} frames)`, scrollP95, 'ms', '< 33 ms', scrollP95 < 33);
      info('WebSocket messages while scrolling (list changes)', String(messagesDuringScroll));
      info(
        'wheel / jumps p95; the same wheel over an empty view',
        `${percentile(wheelFrames, 95).toFixed(1)} ms / ${percentile(jumpFrames, 95).toFixed(1)} ms; ${percentile(floorFrames, 95).toFixed(1)} ms`,
      );
      const nameWorst = Math.max(...nameTimes);
      report(`name filter, worst keystroke (${nameTimes.length} keys)`, nameWorst, 'ms', '< 100 ms', nameWorst < 100);
      info(`"${failing.deployment}"`, `${nameCount}; keys ${nameTimes.map((time) => time.toFixed(0)).join(', ')} ms`);
      report('namespace filter', namespaceMs, 'ms', '< 100 ms', namespaceMs < 100);
      info(`"${failing.namespace}"`, namespaceCount);
      const labelWorst = Math.max(...labelTimes);
      report(`label filter, worst keystroke (${labelTimes.length} keys)`, labelWorst, 'ms', '< 100 ms', labelWorst < 100);
      info(`"app=${failing.deployment}"`, labelCount);
      for (const [header, ms] of sorts) report(`sort by ${header.toLowerCase()} (all rows)`, ms, 'ms', '(< 100 ms)', ms < 100);
      // NESTLAB_BENCH_SCREENSHOTS=DIR, after the figures: the list as the measurements left it, and its problems.
      const shots = process.env.NESTLAB_BENCH_SCREENSHOTS;
      if (shots) {
        await mkdir(shots, { recursive: true });
        const shoot = async (name: string) => {
          const { data } = await page.send<{ data: string }>('Page.captureScreenshot', { format: 'png' });
          await writeFile(join(shots, name), Buffer.from(data, 'base64'));
        };
        await shoot('pods-list.png');
        await page.evaluate(`document.querySelector('.pods-problems').click()`);
        await page.waitFor(`__bench.count() !== ${JSON.stringify(all)}`);
        await shoot('pods-list-problems.png');
      }
      await page.close();
    } finally {
      await browser.close();
    }
  } finally {
    await server.stop();
  }
} finally {
  await stopFill?.();
  await controlPlane.stop();
  await rm(dataDir, { recursive: true, force: true });
}
