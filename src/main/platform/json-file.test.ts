import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tempDir } from '../../../tests/harness/temp-dir';
import { keepAside, readJsonFile, writeJsonFile } from './json-file';

const schema = z.object({ version: z.literal(1), names: z.array(z.string()) });
let dir: string;

beforeEach(async () => {
  dir = await tempDir('json-file');
});

describe('JSON files', () => {
  it('reads back what it wrote, owner-only, and says missing, corrupt and unreadable apart', async () => {
    const path = join(dir, 'store.json');
    expect(await readJsonFile(path, schema)).toEqual({ state: 'missing' });
    await writeJsonFile(path, { version: 1, names: ['a'] });
    expect(await readJsonFile(path, schema)).toEqual({ state: 'ok', value: { version: 1, names: ['a'] } });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('{\n  "version": 1,\n  "names": [\n    "a"\n  ]\n}\n');
    await writeFile(path, '{"version": 1,');
    expect(await readJsonFile(path, schema)).toEqual({ state: 'corrupt' });
    await writeFile(path, '{"version": 2, "names": []}');
    expect(await readJsonFile(path, schema)).toEqual({ state: 'corrupt' });
    const folder = join(dir, 'folder.json');
    await mkdir(folder);
    expect(await readJsonFile(folder, schema)).toMatchObject({ state: 'unreadable', error: { code: 'EISDIR' } });
  });

  it('keeps a file aside under a name with the time, never overwriting it', async () => {
    const path = join(dir, 'store.json');
    await writeFile(path, 'not json');
    const aside = await keepAside(path, 'corrupt', new Date('2026-11-23T10:00:00.000Z'));
    expect(aside).toBe(`${path}.corrupt-2026-11-23T10-00-00-000Z`);
    expect(await readFile(aside, 'utf8')).toBe('not json');
    expect(await readdir(dir)).toEqual(['store.json.corrupt-2026-11-23T10-00-00-000Z']);
  });
});
