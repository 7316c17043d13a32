/**
 * xterm alone in headless Chromium: how long 50 MB of output takes to parse and draw with each
 * choice the terminal pane makes (addons, renderer, string or UTF-8 bytes, write slice size), no
 * transport. It tells the renderer's share of bench/terminal-throughput.ts apart from the server's.
 * Figures are wall time and Chromium's CPU time per process; on a shared machine trust the CPU.
 * Run: npm run bench -- terminal-xterm   (NESTLAB_BENCH_VARIANTS=0,4,0,4 picks and repeats
 * variants; NESTLAB_BENCH_MB sets the size)
 * @xterm/addon-webgl is not a dependency (software GL made it 8x slower here): to measure it,
 * `npm pack @xterm/addon-webgl@0.19.0`, unpack it as DIR/node_modules/@xterm/addon-webgl and
 * set NESTLAB_BENCH_MODULE_DIR=DIR; without it the WebGL variants are skipped.
 */
import type { Unicode11Addon } from '@xterm/addon-unicode11';
import type { WebLinksAddon } from '@xterm/addon-web-links';
import type { ITerminalAddon, Terminal } from '@xterm/xterm';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { launchChromium } from '../tests/e2e/support/chromium';
import { chromiumCpuMeter } from './_terminal-support';

const require = createRequire(import.meta.url);
const megabytes = Number(process.env.NESTLAB_BENCH_MB ?? 50);

interface Variant {
  name: string;
  /** 'none': the terminal is never opened in the page, so only parsing is measured. */
  renderer: 'dom' | 'webgl' | 'none';
  unicode11: boolean;
  webLinks: boolean;
  bytes: boolean;
  sliceKiB: number;
}

const variants: Variant[] = [
  { name: 'DOM, unicode11 + web-links, string, 32 KiB', renderer: 'dom', unicode11: true, webLinks: true, bytes: false, sliceKiB: 32 },
  { name: 'DOM, no addons, string, 32 KiB', renderer: 'dom', unicode11: false, webLinks: false, bytes: false, sliceKiB: 32 },
  { name: 'DOM, unicode11 only, string, 32 KiB', renderer: 'dom', unicode11: true, webLinks: false, bytes: false, sliceKiB: 32 },
  { name: 'DOM, web-links only, string, 32 KiB', renderer: 'dom', unicode11: false, webLinks: true, bytes: false, sliceKiB: 32 },
  { name: 'DOM, unicode11 + web-links, bytes, 32 KiB', renderer: 'dom', unicode11: true, webLinks: true, bytes: true, sliceKiB: 32 },
  { name: 'DOM, unicode11 + web-links, bytes, 128 KiB', renderer: 'dom', unicode11: true, webLinks: true, bytes: true, sliceKiB: 128 },
  { name: 'DOM, unicode11 + web-links, bytes, 512 KiB', renderer: 'dom', unicode11: true, webLinks: true, bytes: true, sliceKiB: 512 },
  { name: 'WebGL, unicode11 + web-links, bytes, 128 KiB', renderer: 'webgl', unicode11: true, webLinks: true, bytes: true, sliceKiB: 128 },
  { name: 'parse only, no addons, bytes, 1 MiB', renderer: 'none', unicode11: false, webLinks: false, bytes: true, sliceKiB: 1024 },
  { name: 'parse only, unicode11, bytes, 1 MiB', renderer: 'none', unicode11: true, webLinks: false, bytes: true, sliceKiB: 1024 },
  { name: 'parse only, unicode11, string, 1 MiB', renderer: 'none', unicode11: true, webLinks: false, bytes: false, sliceKiB: 1024 },
  { name: 'DOM, unicode11 + web-links, bytes, 1 MiB', renderer: 'dom', unicode11: true, webLinks: true, bytes: true, sliceKiB: 1024 },
];
const only = process.env.NESTLAB_BENCH_VARIANTS?.split(',').map(Number);

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  // tsx (esbuild keepNames) wraps named functions in __name(); inPage's source runs in the page.
  await page.evaluate('window.__name = (fn) => fn;');
  await page.setContent('<div id="host" style="width: 1100px; height: 700px"></div>');
  await page.addStyleTag({ path: require.resolve('@xterm/xterm/css/xterm.css') });
  for (const module of ['@xterm/xterm', '@xterm/addon-unicode11', '@xterm/addon-web-links']) {
    await page.addScriptTag({ path: require.resolve(module) });
  }
  const webgl = resolveCandidate('@xterm/addon-webgl');
  if (webgl !== undefined) await page.addScriptTag({ path: webgl });
  const { version } = require('@xterm/xterm/package.json') as { version: string };
  console.log(`${megabytes} MB of 80-column text lines (\\r\\n) written to xterm ${version}:`);
  const chromiumCpu = await chromiumCpuMeter(browser);
  for (const index of only ?? variants.keys()) {
    const variant = variants[index]!;
    if (variant.renderer === 'webgl' && webgl === undefined) {
      console.log(`  [${index}] ${variant.name.padEnd(48)} skipped: @xterm/addon-webgl is not installed (see the top of this file)`);
      continue;
    }
    const cpuBefore = await chromiumCpu.read();
    const start = performance.now();
    const result = await page.evaluate<InPageResult>(`(${inPage.toString()})(${JSON.stringify({ ...variant, megabytes })})`);
    const wall = performance.now() - start;
    const cpu = chromiumCpu.describe(chromiumCpu.since(cpuBefore, await chromiumCpu.read()));
    console.log(
      `  [${index}] ${variant.name.padEnd(48)} ${result.ms.toFixed(0).padStart(6)} ms  ${(megabytes / (result.ms / 1000)).toFixed(1)} MB/s` +
        `  ${result.frames} frames  CPU ms: ${cpu}  (renderer in use: ${result.renderer}; ${wall.toFixed(0)} ms with setup)`,
    );
  }
} finally {
  await browser.close();
}

/** A module that is not a dependency: from node_modules if there, else from NESTLAB_BENCH_MODULE_DIR. */
function resolveCandidate(module: string): string | undefined {
  const override = process.env.NESTLAB_BENCH_MODULE_DIR;
  for (const paths of [undefined, override === undefined ? undefined : [override]]) {
    try {
      return require.resolve(module, paths && { paths });
    } catch {
      // Not there; try the next place.
    }
  }
  return undefined;
}

interface InPageResult {
  ms: number;
  renderer: string;
  frames: number;
}

/** What the UMD builds put on window. */
interface XtermGlobals {
  Terminal: typeof Terminal;
  Unicode11Addon: { Unicode11Addon: typeof Unicode11Addon };
  WebLinksAddon: { WebLinksAddon: typeof WebLinksAddon };
  WebglAddon: { WebglAddon: new () => ITerminalAddon };
}

/** Runs in the page: one terminal, the data written in slices, timed to the last write callback and a frame. */
function inPage(options: Variant & { megabytes: number }): Promise<InPageResult> {
  const scope = window as unknown as XtermGlobals;
  const term = new scope.Terminal({ cols: 120, rows: 40, scrollback: 5000, allowProposedApi: true });
  if (options.unicode11) {
    term.loadAddon(new scope.Unicode11Addon.Unicode11Addon());
    term.unicode.activeVersion = '11';
  }
  if (options.webLinks) term.loadAddon(new scope.WebLinksAddon.WebLinksAddon());
  if (options.renderer !== 'none') term.open(document.getElementById('host')!);
  let renderer = options.renderer === 'none' ? 'none' : 'dom';
  if (options.renderer === 'webgl') {
    try {
      term.loadAddon(new scope.WebglAddon.WebglAddon());
      renderer = 'webgl';
    } catch (error) {
      renderer = `dom (WebGL failed: ${String(error)})`;
    }
  }
  let frames = 0;
  term.onRender(() => (frames += 1));
  const line = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.:;+=<>[]{}()'.slice(0, 79) + '\r\n';
  const block = line.repeat(Math.ceil((1024 * 1024) / line.length));
  const blockBytes = new TextEncoder().encode(block);
  const total = options.megabytes * 1024 * 1024;
  const slice = options.sliceKiB * 1024;
  return new Promise((resolve) => {
    const start = performance.now();
    let written = 0;
    let acknowledged = 0;
    // Like the pane: keep at most 4 MiB unacknowledged, as flow control would.
    const pump = () => {
      while (written < total && written - acknowledged < 4 * 1024 * 1024) {
        for (let offset = 0; offset < block.length; offset += slice) {
          const last = offset + slice >= block.length;
          const piece = options.bytes ? blockBytes.subarray(offset, offset + slice) : block.slice(offset, offset + slice);
          term.write(piece, last ? onBlock : undefined);
        }
        written += block.length;
      }
    };
    const onBlock = () => {
      acknowledged += block.length;
      if (acknowledged >= written && written >= total) {
        // A frame after the last parse, so the last screen is drawn (and counted).
        requestAnimationFrame(() => {
          const ms = performance.now() - start;
          term.dispose();
          resolve({ ms, renderer, frames });
        });
      } else pump();
    };
    pump();
  });
}
