/**
 * The tests' one temp-folder helper: `tempDir(prefix)` makes a fresh folder under the OS temp
 * folder and it is removed, with everything in it, after the last test of the file that made it
 * (passed or failed), so no test leaves folders behind or removes them by hand.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

// Registered when a test file first imports this module (vitest loads modules per test file).
afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 3 })));
});

/** A fresh folder `nestlab-<prefix>-XXXXXX`, removed after the file's tests. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `nestlab-${prefix}-`));
  made.push(dir);
  return dir;
}
