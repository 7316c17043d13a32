/**
 * How the page answers clicks while 50 MB streams into a terminal (the cost of handing xterm
 * large writes, which it parses without yielding): the Search toggle is clicked every 250 ms
 * during the `cat`, and each click's Event Timing duration (input to the next frame painted
 * after its handlers) is collected in the page. Before that, what an idle focused terminal costs
 * Chromium in 5 s (a blinking cursor once made it restyle 60 times a second).
 * Run: npm run bench -- terminal-responsiveness   (builds the app first unless NESTLAB_BENCH_NO_BUILD=1)
 */
import { launchChromium } from '../tests/e2e/support/chromium';
import { buildApp, chromiumCpuMeter, createOutputFile, load, startBenchServer } from './_terminal-support';

const output = await createOutputFile();
buildApp();
const loadBefore = load();
const server = await startBenchServer(output.dir);
const browser = await launchChromium();
let durations: number[];
let streamMs: number;
let idleCpu: string;
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  await page.goto(server.url);
  await page.getByText('Connected to Nestlab server').waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Terminals', exact: true }).click();
  await page.getByRole('form', { name: 'New terminal' }).getByRole('button', { name: 'Open', exact: true }).click();
  await page.locator('.xterm-rows', { hasText: '$' }).waitFor();
  await page.locator('.xterm').click();
  const meter = await chromiumCpuMeter(browser);
  const idleStart = await meter.read();
  // Nothing to await: the point is what an idle terminal costs over this time.
  await page.waitForTimeout(5_000);
  idleCpu = meter.describe(meter.since(idleStart, await meter.read())) || 'nothing';
  // Event Timing entries of every click from now on (DevTools-protocol evaluation is not subject to the page's CSP).
  await page.evaluate(`(() => {
    window.__clickDurations = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (entry.name === 'click') window.__clickDurations.push(entry.duration);
    }).observe({ type: 'event', durationThreshold: 16, buffered: false });
  })()`);
  const search = page.getByRole('button', { name: 'Search' });
  const box = (await search.boundingBox())!;
  await page.locator('.xterm').click();
  await page.keyboard.type(`cat ${output.file}; echo bench-$((40+2))`);
  const start = Date.now();
  await page.keyboard.press('Enter');
  let done = false;
  const finished = page
    .locator('.xterm-rows', { hasText: 'bench-42' })
    .waitFor({ timeout: 600_000 })
    .then(() => (done = true));
  let clicks = 0;
  while (!done) {
    // A raw click at the button (no actionability checks: those wait for frames themselves).
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    clicks += 1;
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 250))]);
  }
  streamMs = Date.now() - start;
  // Entries are delivered after the frame that ends them; give the last one a moment to arrive.
  await page.waitForTimeout(500);
  durations = await page.evaluate<number[]>('window.__clickDurations');
  // Clicks faster than 16 ms are not reported by Event Timing: count them as 16 ms.
  while (durations.length < clicks) durations.push(16);
} finally {
  await browser.close();
  await server.stop();
  await output.remove();
}

const sorted = [...durations].sort((a, b) => a - b);
const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
console.log(`Idle focused terminal, Chromium CPU over 5 s (ms): ${idleCpu}`);
console.log(`Clicks while 50 MB streams into a terminal (${(streamMs / 1000).toFixed(1)} s; load ${loadBefore} -> ${load()}):`);
console.log(
  `  ${sorted.length} clicks: p50 ${at(50).toFixed(0)} ms, p95 ${at(95).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (input to next paint)`,
);
