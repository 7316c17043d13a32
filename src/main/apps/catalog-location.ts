import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * resources/catalog of a source checkout or a build: the nearest ancestor of `moduleUrl` that
 * has one. The bundler may put the calling code in out/main/ or out/main/chunks/, and tests run
 * it from src/main/, so a fixed relative path would be right in only some of them. A packaged
 * app passes its resources folder explicitly instead.
 */
export function defaultCatalogDir(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let depth = 0; depth < 6; depth += 1) {
    const candidate = join(dir, 'resources', 'catalog');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // Not found: the catalog loader reports this folder as unreadable.
  return join(dirname(fileURLToPath(moduleUrl)), 'resources', 'catalog');
}
