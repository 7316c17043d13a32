/**
 * What the terminal throughput benchmarks share: the 50 MB test file, the raw pty read they are
 * compared with, CPU-time readings (which the shared machine's load moves far less than wall
 * time) and browser mode started in its own process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
import type { BareChromium } from './_bare-chromium';
import { spawnPty } from '../src/main/terminals/spawn-pty';

export const megabytes = 50;

/** A temporary folder holding a 50 MB text file of 80-column lines. */
export async function createOutputFile(): Promise<{ dir: string; file: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'nestlab-bench-terminal-'));
  const file = join(dir, 'output.txt');
  const line = `${'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_.:;+=<>[]{}()'.slice(0, 79)}\n`;
  await writeFile(file, line.repeat(Math.ceil((megabytes * 1024 * 1024) / line.length)));
  return { dir, file, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** CPU time (user + system, ms) process `pid` has used so far, from /proc (Linux). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface RawRead {
  ms: number;
  bytes: number;
  /** CPU time of the reading Node process (cat's own is not counted). */
  cpuMs: number;
}

/** Reads `cat file` on a pty directly in Node: bytes arrive, nothing else. The best of `runs`. */
export async function rawPtyRead(file: string, runs = 3): Promise<RawRead> {
  const results: RawRead[] = [];
  for (let run = 0; run < runs; run++) {
    results.push(
      await new Promise<RawRead>((resolve) => {
        const start = performance.now();
        const cpuStart = cpuMs(process.pid);
        let bytes = 0;
        const pty = spawnPty('/bin/cat', [file], { cwd: tmpdir(), env: process.env, cols: 120, rows: 40 });
        pty.onData((data) => (bytes += (data as unknown as Buffer).length));
        pty.onExit(() => resolve({ ms: performance.now() - start, bytes, cpuMs: cpuMs(process.pid) - cpuStart }));
      }),
    );
  }
  return results.reduce((best, run) => (run.ms < best.ms ? run : best));
}

/**
 * Where the benchmarks build the app: their own folder, so a test run rebuilding out/ at the same
 * time (the e2e global setup does) cannot pull files from under a measurement.
 * NESTLAB_BENCH_OUT_DIR (with NESTLAB_BENCH_NO_BUILD=1) measures another build, e.g. an older
 * commit's, for a before/after comparison under the same load.
 */
const outDir = resolve(process.env.NESTLAB_BENCH_OUT_DIR ?? '.tmp/bench-out');

/** Builds main, preload and renderer into {@link outDir}, unless NESTLAB_BENCH_NO_BUILD=1 (then it reuses the last build). */
export function buildApp(): void {
  if (process.env.NESTLAB_BENCH_NO_BUILD === '1') return;
  console.log(`Building the app into ${outDir} (electron-vite build)...`);
  execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build', '--outDir', outDir], { stdio: 'ignore' });
}

export interface BenchServer {
  pid: number;
  port: number;
  token: string;
  url: string;
  stop(): Promise<void>;
}

/**
 * Browser mode (the bench build's main/web.js) in its own process, as users run it, with `/bin/sh` as the
 * shell. NESTLAB_BENCH_SERVER_NODE_ARGS adds node flags such as `--cpu-prof
 * --cpu-prof-dir=DIR` (NODE_OPTIONS refuses those).
 */
export async function startBenchServer(dataDir: string): Promise<BenchServer> {
  const nodeArgs = process.env.NESTLAB_BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, `${outDir}/main/web.js`, '--data-dir', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, SHELL: '/bin/sh', PS1: '$ ' },
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<URL>((resolve, reject) => {
    lines.on('line', (text) => {
      const match = /Open: (http:\/\/\S+)/.exec(text);
      if (match?.[1]) resolve(new URL(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`browser mode exited with ${code}`)));
  });
  return {
    pid: child.pid!,
    port: Number(url.port),
    token: url.hash.replace('#token=', ''),
    url: url.href,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The 1-minute load average, to print beside figures taken on a shared machine. */
export function load(): string {
  return loadavg()[0]!.toFixed(1);
}

export const mbps = (bytes: number, ms: number) => (bytes / (1024 * 1024) / (ms / 1000)).toFixed(1);

/** CPU time of Chromium's processes by type (browser, renderer, GPU...), in ms, from the DevTools protocol. */
export async function chromiumCpuMeter(browser: Browser | BareChromium) {
  type ByType = Record<string, number>;
  let read: () => Promise<ByType>;
  if ('cpuByType' in browser) read = () => browser.cpuByType();
  else {
    const cdp = await browser.newBrowserCDPSession();
    read = async () => {
      const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
      const byType: ByType = {};
      for (const { type, cpuTime } of processInfo) byType[type] = (byType[type] ?? 0) + cpuTime * 1000;
      return byType;
    };
  }
  return {
    read,
    since: (before: ByType, after: ByType): ByType =>
      Object.fromEntries(Object.entries(after).map(([type, ms]) => [type, Math.round(ms - (before[type] ?? 0))])),
    /** "renderer 3580, GPU 250, ..." without the processes that used nothing. */
    describe: (byType: ByType): string =>
      Object.entries(byType)
        .filter(([, ms]) => ms > 0)
        .map(([type, ms]) => `${type.replace('network.mojom.NetworkService', 'network')} ${ms}`)
        .join(', '),
  };
}
