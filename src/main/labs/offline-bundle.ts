import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { AppError } from '../../shared/errors';

/** One file of an offline bundle on this computer. */
export interface BundleFile {
  /** Path inside the bundle, with '/' separators. */
  relative: string;
  read(): Promise<Buffer>;
}

/**
 * The files of an offline bundle folder (binaries, .debs, image tarballs, manifests), in a stable
 * order. A dry run lists a placeholder instead of reading the disk.
 */
export async function bundleFiles(root: string, dry: boolean): Promise<BundleFile[]> {
  if (dry) return [{ relative: '<each file of the bundle>', read: () => Promise.resolve(Buffer.alloc(0)) }];
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    throw new AppError('FILE_IO', `The offline bundle ${root} cannot be read: ${(error as Error).message}. Check the folder.`, {
      path: root,
    });
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { relative: relative(root, path).split(sep).join('/'), read: () => readFile(path) };
    })
    .sort((a, b) => a.relative.localeCompare(b.relative));
}
