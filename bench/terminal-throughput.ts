/**
 * Terminal throughput: 50 MB of text through pty -> batcher -> WebSocket -> xterm in headless
 * Chromium (the real renderer in browser mode), against reading the same pty output directly in
 * Node. Target (docs/BENCHMARKS.md): the UI path at no less than 50% of the raw speed.
 * Run: npm run bench -- terminal-throughput   (builds the app first unless NESTLAB_BENCH_NO_BUILD=1)
 * NESTLAB_BENCH_RUNS=N repeats the UI run (default 2); NESTLAB_BENCH_PROFILE_DIR=DIR writes a CPU
 * profile of the page per run, NESTLAB_BENCH_TRACE_DIR=DIR a Chromium trace (open it in DevTools'
 * Performance panel).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { launchBareChromium, type BareChromium } from './_bare-chromium';
import {
  buildApp,
  chromiumCpuMeter,
  cpuMs,
  createOutputFile,
  load,
  mbps,
  megabytes,
  rawPtyRead,
  startBenchServer,
  type BenchServer,
} from './_terminal-support';

const runs = Number(process.env.NESTLAB_BENCH_RUNS ?? 2);
const profileDir = process.env.NESTLAB_BENCH_PROFILE_DIR;
const traceDir = process.env.NESTLAB_BENCH_TRACE_DIR;
const output = await createOutputFile();
buildApp();

interface UiRun {
  raw: Awaited<ReturnType<typeof rawPtyRead>>;
  ms: number;
  serverCpuMs: number;
  chromiumCpuMs: string;
  loadBefore: string;
  loadAfter: string;
}

const browser = await launchBareChromium();
const results: UiRun[] = [];
try {
  for (let run = 0; run < runs; run++) {
    const loadBefore = load();
    // The raw baseline is taken right before each UI run, so both see about the same load.
    const raw = await rawPtyRead(output.file);
    // A fresh server per run: each page starts with exactly one terminal.
    const server = await startBenchServer(output.dir);
    try {
      results.push({ raw, loadBefore, ...(await throughUi(browser, server, run)), loadAfter: load() });
    } finally {
      await server.stop();
    }
  }
} finally {
  await browser.close();
  await output.remove();
}

/**
 * One `cat` in a terminal tab, timed from Enter until the marker printed after it is on screen.
 * The page is driven over a bare DevTools connection (see _bare-chromium.ts): Playwright's
 * instrumentation copies every WebSocket frame to the driver, which is no part of the app.
 */
async function throughUi(browser: BareChromium, server: BenchServer, run: number) {
  const page = await browser.open(server.url, { width: 1200, height: 800 });
  const chromiumCpu = await chromiumCpuMeter(browser);
  const clickButton = (scope: string, name: string) =>
    page.evaluate(
      `[...document.querySelectorAll(${JSON.stringify(scope)})].find((button) => button.textContent.trim() === ${JSON.stringify(name)}).click()`,
    );
  try {
    await page.waitFor(`document.body.textContent.includes('Connected to Nestlab server')`);
    await clickButton('nav[aria-label="Main"] button', 'Terminals');
    await page.waitFor(`document.querySelector('form[aria-label="New terminal"]') !== null`);
    await clickButton('form[aria-label="New terminal"] button', 'Open');
    await page.waitFor(`document.querySelector('.xterm-rows')?.textContent.includes('$') === true`);
    await page.evaluate(`document.querySelector('.xterm-helper-textarea').focus()`);
    await page.send('Input.insertText', { text: `cat ${output.file}; echo bench-$((40+2))` });
    await page.waitFor(`document.querySelector('.xterm-rows').textContent.includes('bench-$((40+2))')`);
    if (profileDir !== undefined) {
      await page.send('Profiler.enable');
      await page.send('Profiler.start');
    }
    let measured: { ms: number; serverCpuMs: number; chromiumCpuMs: string } | undefined;
    const measure = async () => {
      const serverCpuStart = cpuMs(server.pid);
      const chromiumCpuStart = await chromiumCpu.read();
      const start = performance.now();
      await page.press('Enter', 'Enter', 13, '\r');
      // Only the rows on screen are read, once per frame: a few KB of text.
      await page.waitFor(`document.querySelector('.xterm-rows').textContent.includes('bench-42')`, 600_000);
      const ms = performance.now() - start;
      measured = {
        ms,
        serverCpuMs: cpuMs(server.pid) - serverCpuStart,
        chromiumCpuMs: chromiumCpu.describe(chromiumCpu.since(chromiumCpuStart, await chromiumCpu.read())),
      };
    };
    if (traceDir === undefined) await measure();
    else {
      const trace = await browser.trace(['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'gpu'], measure);
      await writeFile(join(traceDir, `trace-run-${run + 1}.json`), trace);
    }
    if (profileDir !== undefined) {
      const { profile } = await page.send<{ profile: unknown }>('Profiler.stop');
      await writeFile(join(profileDir, `page-run-${run + 1}.cpuprofile`), JSON.stringify(profile));
    }
    return measured!;
  } finally {
    await page.close();
  }
}

console.log(`${megabytes} MB of text through pty -> WebSocket -> xterm in Chromium (browser mode in its own process):`);
for (const [index, run] of results.entries()) {
  const ratio = run.raw.ms / run.ms;
  console.log(
    `  run ${index + 1} (load ${run.loadBefore} -> ${run.loadAfter}): raw pty read ${run.raw.ms.toFixed(0)} ms (${mbps(run.raw.bytes, run.raw.ms)} MB/s), ` +
      `UI ${run.ms.toFixed(0)} ms (${mbps(run.raw.bytes, run.ms)} MB/s): ${(ratio * 100).toFixed(0)}% of raw (target >= 50%) ${ratio >= 0.5 ? 'OK' : 'BELOW TARGET'}`,
  );
  console.log(`      CPU ms: raw reader ${run.raw.cpuMs}; server ${run.serverCpuMs}; Chromium ${run.chromiumCpuMs}`);
}
