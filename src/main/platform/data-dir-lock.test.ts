import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir, lockFileName } from './data-dir-lock';
import { dataDirArgument } from './data-dir';
import { tempDir } from '../../../tests/harness/temp-dir';

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

function ownerText(pid: number, host = hostname()): string {
  return JSON.stringify({ pid, app: 'browser mode', hostname: host, startedAt: '2026-12-01T10:00:00.000Z' });
}

describe('data folder lock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('lock');
  });

  it('is taken in a new folder, names this process, and leaves nothing but itself behind', async () => {
    const lock = await lockDataDir(join(dir, 'data'), 'desktop app');
    expect(JSON.parse(await readFile(join(dir, 'data', lockFileName), 'utf8'))).toMatchObject({ pid: process.pid, app: 'desktop app' });
    expect(await readdir(join(dir, 'data'))).toEqual([lockFileName]);
    await lock.release();
    expect(await readdir(join(dir, 'data'))).toEqual([]);
  });

  it('is refused while a running process holds it, with a message naming it and the fix', async () => {
    // The test runner's parent process is alive for the whole test.
    await writeFile(join(dir, lockFileName), ownerText(process.ppid));
    const refusal = await lockDataDir(dir, 'desktop app').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DataDirInUseError);
    const message = (refusal as Error).message;
    expect(message).toContain(`in use by another Nestlab (browser mode, pid ${process.ppid}`);
    expect(message).toContain('--data-dir');
    expect(message).toContain(join(dir, lockFileName));
    // The holder's lock is untouched.
    expect(await readFile(join(dir, lockFileName), 'utf8')).toBe(ownerText(process.ppid));
  });

  it("takes over a dead process's lock, an unreadable one, and one left by an earlier process with this pid", async () => {
    for (const stale of [ownerText(await deadPid()), '{"pid":', ownerText(process.pid)]) {
      await writeFile(join(dir, lockFileName), stale);
      const lock = await lockDataDir(dir, 'browser mode');
      expect(JSON.parse(await readFile(join(dir, lockFileName), 'utf8'))).toMatchObject({ pid: process.pid });
      expect(await readdir(dir)).toEqual([lockFileName]);
      await lock.release();
    }
  });

  it('counts a lock from another machine (a shared folder) as held', async () => {
    await writeFile(join(dir, lockFileName), ownerText(await deadPid(), 'other-machine.example'));
    await expect(lockDataDir(dir, 'browser mode')).rejects.toThrow(/pid \d+ on other-machine\.example/);
  });

  it('release does not remove a lock another process took after this one', async () => {
    const lock = await lockDataDir(dir, 'browser mode');
    await writeFile(join(dir, lockFileName), ownerText(process.ppid));
    await lock.release();
    expect(await readFile(join(dir, lockFileName), 'utf8')).toBe(ownerText(process.ppid));
  });
});

describe('desktop --data-dir argument', () => {
  it('reads both forms and ignores an empty value', () => {
    expect(dataDirArgument(['/opt/Nestlab/nestlab', '--data-dir=/tmp/lab'])).toBe('/tmp/lab');
    expect(dataDirArgument(['nestlab', '--data-dir', '/tmp/lab', '--other'])).toBe('/tmp/lab');
    expect(dataDirArgument(['nestlab', '--data-dir='])).toBeUndefined();
    expect(dataDirArgument(['nestlab'])).toBeUndefined();
  });
});
