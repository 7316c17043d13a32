import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultCatalogDir } from './catalog-location';
import { tempDir } from '../../../tests/harness/temp-dir';

describe('defaultCatalogDir', () => {
  it('finds resources/catalog above a bundled chunk and above the sources', async () => {
    const root = await tempDir('catalog');
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
