/**
 * Terminal throughput: 50 MB of text through pty -> batcher -> WebSocket -> xterm in headless
 * Chromium (the real renderer in browser mode), against reading the same pty output directly in
 * Node. Target (DESIGN.md): the UI path at no less than 50% of the raw speed.
 * Run: npm run bench -- terminal-throughput   (builds the app first unless NESTLAB_BENCH_NO_BUILD=1)
 * NESTLAB_BENCH_RUNS=N repeats the UI run (default 2); NESTLAB_BENCH_PROFILE_DIR=DIR writes a CPU
 * profile of the page per run, NESTLAB_BENCH_TRACE_DIR=DIR a Chromium trace (open it in DevTools'
 * Performance panel).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../tests/e2e/support/chromium';
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

const browser = await launchChromium();
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

/** One `cat` in a terminal tab, timed from Enter until the marker printed after it is on screen. */
async function throughUi(browser: Browser, server: BenchServer, run: number) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const chromiumCpu = await chromiumCpuMeter(browser);
  try {
    await page.goto(server.url);
    await page.getByText('Connected to Nestlab server').waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Terminals', exact: true }).click();
    await page.getByRole('form', { name: 'New terminal' }).getByRole('button', { name: 'Open', exact: true }).click();
    await page.locator('.xterm-rows', { hasText: '$' }).waitFor();
    await page.locator('.xterm').click();
    await page.keyboard.type(`cat ${output.file}; echo bench-$((40+2))`);
    const pageCdp = profileDir === undefined ? undefined : await page.context().newCDPSession(page);
    if (pageCdp) {
      await pageCdp.send('Profiler.enable');
      await pageCdp.send('Profiler.start');
    }
    if (traceDir !== undefined) {
      await browser.startTracing(page, {
        categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'gpu'],
      });
    }
    const serverCpuStart = cpuMs(server.pid);
    const chromiumCpuStart = await chromiumCpu.read();
    const start = performance.now();
    await page.keyboard.press('Enter');
    // The page's CSP forbids eval, so wait with a locator (Playwright's own isolated script).
    await page.locator('.xterm-rows', { hasText: 'bench-42' }).waitFor({ timeout: 600_000 });
    const ms = performance.now() - start;
    const serverCpuMs = cpuMs(server.pid) - serverCpuStart;
    const chromiumCpuMs = chromiumCpu.describe(chromiumCpu.since(chromiumCpuStart, await chromiumCpu.read()));
    if (traceDir !== undefined) await writeFile(join(traceDir, `trace-run-${run + 1}.json`), await browser.stopTracing());
    if (pageCdp && profileDir !== undefined) {
      const { profile } = (await pageCdp.send('Profiler.stop')) as { profile: unknown };
      await writeFile(join(profileDir, `page-run-${run + 1}.cpuprofile`), JSON.stringify(profile));
    }
    return { ms, serverCpuMs, chromiumCpuMs };
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
