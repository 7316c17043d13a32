import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStaticFile } from './static-files';
import { tempDir } from '../../../tests/harness/temp-dir';

describe('readStaticFile', () => {
  it('serves files of the folder with their content type, index.html for /', async () => {
    const root = await tempDir('static');
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<html>');
    await writeFile(join(root, 'assets', 'app.js'), 'x');
    expect((await readStaticFile(root, '/'))?.contentType).toBe('text/html; charset=utf-8');
    expect((await readStaticFile(root, '/assets/app.js'))?.body.toString()).toBe('x');
  });

  it('never reads outside the folder', async () => {
    const parent = await tempDir('static');
    const root = join(parent, 'renderer');
    await mkdir(root);
    await writeFile(join(parent, 'secret.txt'), 'secret');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%00', '/%E0%A4%A']) {
      expect(await readStaticFile(root, path)).toBeUndefined();
    }
  });
});
