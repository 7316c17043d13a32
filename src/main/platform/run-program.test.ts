import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { runProgram } from './run-program';
import { tempDir } from '../../../tests/harness/temp-dir';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('run-program');
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('runProgram', () => {
  it('returns stdout and stderr, and explains a missing program and a failing one', async () => {
    expect(await runProgram('/bin/sh', ['-c', 'echo out; echo err >&2'])).toEqual({ stdout: 'out\n', stderr: 'err\n' });
    expect((await failure(runProgram('nestlab-no-such-program', []))).code).toBe('PROGRAM_MISSING');
    const failed = await failure(runProgram('/bin/sh', ['-c', 'echo "login expired" >&2; exit 3']));
    expect(failed).toMatchObject({ code: 'PROGRAM_FAILED', message: '/bin/sh failed (exit code 3): login expired' });
  });

  it('kills a program that ignores SIGTERM, and the children it started, after the grace period', async () => {
    const beat = join(dir, 'beat');
    // The child writes a heartbeat every 50 ms; both ignore SIGTERM.
    const script = `trap '' TERM; (trap '' TERM; while :; do date +%s%N > '${beat}'; sleep 0.05; done) & while :; do sleep 0.05; done`;
    // Both loops run forever: only the SIGKILL after the grace period ends the run (else the test times out).
    const error = await failure(runProgram('/bin/sh', ['-c', script], { timeoutMs: 300, killGraceMs: 300 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe('/bin/sh did not finish within 300 ms and was stopped.');
    // The heartbeat stops: the whole process group is gone, not only the program.
    const last = await readFile(beat, 'utf8');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await readFile(beat, 'utf8')).toBe(last);
  });

  it('stops a program that prints more than the limit at once, with a message that says so', async () => {
    // Stopped by the size limit, not by the time limit (which would fail with TIMEOUT).
    const error = await failure(runProgram('/bin/sh', ['-c', 'yes nestlab'], { maxBytes: 1024 * 1024, timeoutMs: 20_000 }));
    expect(error).toMatchObject({
      code: 'PROGRAM_FAILED',
      message: '/bin/sh printed more than 1 MB on stdout and was stopped; what it prints is read only up to that size.',
      details: { reason: 'output-too-large' },
    });
  });
});
