import { randomBytes } from 'node:crypto';
import { open, rename, rm, mkdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../shared/errors';

/** Options for {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode for the new file, e.g. 0o600 for secrets. Defaults to 0o644. */
  mode?: number;
  /** Create the parent folder (recursively, with `dirMode`) when it is missing. Defaults to true. */
  createDir?: boolean;
  /** Mode for created parent folders. Defaults to 0o700: data folders hold private state. */
  dirMode?: number;
}

/**
 * Write a file so that readers see either the old content or the new content, never a torn
 * mix, even after a crash or power loss: write a temp file in the same folder (same file
 * system, so rename is atomic), fsync it, rename it over the target, then fsync the folder so
 * the rename itself is durable.
 *
 * @throws AppError FILE_IO naming the path when any step fails; the temp file is removed.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const mode = options.mode ?? 0o644;
  // A dot-prefixed, random temp name: never collides with a concurrent writer, and folder
  // listings that skip dotfiles never pick up a half-written file.
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    if (options.createDir ?? true) await mkdir(dir, { recursive: true, mode: options.dirMode ?? 0o700 });
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(data);
      // open() applies the umask; chmod makes the requested mode exact (0600 stays 0600).
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncDir(dir);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(
      'FILE_IO',
      `Could not write ${path}: ${reason}. Check that the folder exists, is writable and the disk is not full.`,
      { path },
    );
  }
}

async function syncDir(dir: string): Promise<void> {
  // Some file systems refuse fsync on a directory (EISDIR/EINVAL on a few platforms, and Windows
  // cannot open folders); the rename has still happened, so durability there is best effort.
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    return;
  } finally {
    await handle?.close();
  }
}
