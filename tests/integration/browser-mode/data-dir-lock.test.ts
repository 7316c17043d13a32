/**
 * Two real browser-mode processes on one data folder: the second is refused with a message that
 * names the first and the fix; after the first is killed (its lock left behind) a new one takes
 * the folder over; a clean stop removes the lock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockFileName } from '../../../src/main/platform/data-dir-lock';
import { tempDir } from '../../harness/temp-dir';

interface BrowserMode {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the URL line, rejects with the output if the process exits first. */
  started: Promise<string>;
  exited: Promise<number | null>;
}

let root: string;
let staticDir: string;
const running: BrowserMode[] = [];

/** Browser mode's entry from source, as `npm run start:web` would run it after a build. */
function startBrowserMode(dataDir: string): BrowserMode {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/server/main.ts', '--data-dir', dataDir, '--static-dir', staticDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const started = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /Open: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`browser mode exited with ${String(code)}:\n${output}`)));
  });
  started.catch(() => undefined);
  const instance = { child, output: () => output, started, exited };
  running.push(instance);
  return instance;
}

async function lockOwnerPid(dataDir: string): Promise<number> {
  return (JSON.parse(await readFile(join(dataDir, lockFileName), 'utf8')) as { pid: number }).pid;
}

beforeAll(async () => {
  root = await tempDir('data-lock');
  staticDir = join(root, 'static');
  await mkdir(staticDir);
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Nestlab</title>');
});

afterAll(async () => {
  for (const instance of running) {
    if (instance.child.exitCode === null && instance.child.signalCode === null) {
      instance.child.kill('SIGKILL');
      await instance.exited;
    }
  }
});

describe('one Nestlab per data folder', () => {
  it('refuses a second instance on the same folder, naming the first and the fix', { timeout: 180_000 }, async () => {
    const dataDir = join(root, 'shared');
    const first = startBrowserMode(dataDir);
    await first.started;
    expect(await lockOwnerPid(dataDir)).toBe(first.child.pid);

    const second = startBrowserMode(dataDir);
    expect(await second.exited).toBe(3);
    expect(second.output()).toContain(`The data folder ${dataDir} is in use by another Nestlab (browser mode, pid ${first.child.pid}`);
    expect(second.output()).toContain('start this one with --data-dir <another folder>');
    expect(second.output()).not.toContain('Open: http');
    // The first one still holds its folder and serves.
    expect(await lockOwnerPid(dataDir)).toBe(first.child.pid);
    const url = new URL(await first.started);
    expect((await fetch(`${url.origin}/`)).status).toBe(200);

    // Another folder is another instance.
    const elsewhere = startBrowserMode(join(root, 'other'));
    await elsewhere.started;
    elsewhere.child.kill('SIGTERM');
    expect(await elsewhere.exited).toBe(0);
  });

  it('takes over the lock of an instance that was killed, and a clean stop removes it', { timeout: 180_000 }, async () => {
    const dataDir = join(root, 'crashed');
    const crashed = startBrowserMode(dataDir);
    await crashed.started;
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    // kill -9 leaves the lock behind, naming a process that no longer exists.
    expect(await lockOwnerPid(dataDir)).toBe(crashed.child.pid);

    const next = startBrowserMode(dataDir);
    await next.started;
    expect(await lockOwnerPid(dataDir)).toBe(next.child.pid);

    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    await expect(stat(join(dataDir, lockFileName))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
