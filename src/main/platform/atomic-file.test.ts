import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/harness/temp-dir';
import { AppError } from '../../shared/errors';
import { writeFileAtomic } from './atomic-file';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('atomic');
  });

  it('writes new content and leaves no temp file behind', async () => {
    const file = join(dir, 'hosts.json');
    await writeFileAtomic(file, '{"a":1}');
    await writeFileAtomic(file, '{"a":2}');
    expect(await readFile(file, 'utf8')).toBe('{"a":2}');
    expect(await readdir(dir)).toEqual(['hosts.json']);
  });

  it('applies the requested mode exactly, regardless of the umask', async () => {
    const file = join(dir, 'secrets.json');
    await writeFileAtomic(file, 'x', { mode: 0o600 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('creates missing parent folders', async () => {
    const file = join(dir, 'a', 'b', 'c.json');
    await writeFileAtomic(file, Buffer.from('bytes'));
    expect(await readFile(file, 'utf8')).toBe('bytes');
  });

  it('keeps the old content and removes the temp file when the write fails', async () => {
    const file = join(dir, 'keep.json');
    await writeFile(file, 'old');
    // Rename onto a directory fails: the target is a non-empty folder.
    const blocked = join(dir, 'blocked');
    await writeFileAtomic(join(blocked, 'inner'), 'x');
    const error = await writeFileAtomic(blocked, 'new').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('FILE_IO');
    expect((error as AppError).message).toContain(blocked);
    expect(await readFile(file, 'utf8')).toBe('old');
    expect((await readdir(dir)).sort()).toEqual(['blocked', 'keep.json']);
  });
});
