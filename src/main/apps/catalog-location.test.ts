import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultCatalogDir } from './catalog-location';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('defaultCatalogDir', () => {
  it('finds resources/catalog above a bundled chunk and above the sources', async () => {
    root = await mkdtemp(join(tmpdir(), 'nestlab-catalog-'));
    await mkdir(join(root, 'resources', 'catalog'), { recursive: true });
    await mkdir(join(root, 'out', 'main', 'chunks'), { recursive: true });
    const expected = join(root, 'resources', 'catalog');
    expect(defaultCatalogDir(pathToFileURL(join(root, 'out', 'main', 'chunks', 'services.js')).href)).toBe(expected);
    expect(defaultCatalogDir(pathToFileURL(join(root, 'out', 'main', 'web.js')).href)).toBe(expected);
  });

  it('finds the repository catalog from src/main', () => {
    expect(defaultCatalogDir(pathToFileURL(join(import.meta.dirname, '..', 'services.ts')).href)).toBe(
      join(import.meta.dirname, '..', '..', '..', 'resources', 'catalog'),
    );
  });
});
