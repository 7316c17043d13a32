import { spawn, type SpawnOptions } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { createRunProgram } from './run-program';
import { tempDir } from '../../../tests/harness/temp-dir';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('run-program-win');
});

describe('runProgram on Windows', () => {
  it('ends the program and every process it started with taskkill /PID <pid> /T /F, not a kill of the program alone', async () => {
    const programs: { file: string; options: SpawnOptions }[] = [];
    const taskkills: string[][] = [];
    // The real processes run here; only taskkill is a stand-in, doing what /T /F does: the
    // process's children, then the process, forcibly.
    const windowsSpawn = ((file: string, args: readonly string[], options: SpawnOptions) => {
      if (file === 'taskkill') {
        taskkills.push([...args]);
        const pid = args[1] ?? '';
        return spawn('/bin/sh', ['-c', `pkill -KILL -P ${pid}; kill -KILL ${pid}`], { stdio: 'ignore' });
      }
      programs.push({ file, options });
      return spawn(file, args, options);
    }) as typeof spawn;
    const run = createRunProgram({ platform: 'win32', spawn: windowsSpawn });

    const beat = join(dir, 'beat');
    // A plugin that ignores SIGTERM and started a child that writes a heartbeat every 50 ms.
    const script = `trap '' TERM; (trap '' TERM; while :; do date +%s%N > '${beat}'; sleep 0.05; done) & while :; do sleep 0.05; done`;
    const error = await run('/bin/sh', ['-c', script], { timeoutMs: 300, killGraceMs: 60_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'TIMEOUT', message: '/bin/sh did not finish within 300 ms and was stopped.' });
    // No process group on Windows; the tree is ended at once (not after the 60 s grace).
    expect(programs).toHaveLength(1);
    expect(programs[0]?.options.detached).toBe(false);
    expect(taskkills).toHaveLength(1);
    expect(taskkills[0]).toEqual(['/PID', expect.stringMatching(/^\d+$/) as string, '/T', '/F']);
    // The child is gone too: its heartbeat stops.
    const last = await readFile(beat, 'utf8');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await readFile(beat, 'utf8')).toBe(last);
  });
});
