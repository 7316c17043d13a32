/**
 * Reads a file a kubeconfig names (token, certificate, key) with limits: only a regular file, at
 * most `maxBytes`. Opened first and checked on the open handle, so a device (/dev/zero), a pipe
 * that never ends or a file swapped after the check cannot make Nestlab read without end.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** Certificates, keys and tokens are small; a referenced file over this is not one. */
export const MAX_REFERENCED_FILE_BYTES = 1024 * 1024;

export type SmallFileResult = { ok: true; text: string } | { ok: false; reason: 'not-regular' | 'too-large' | 'unreadable'; code?: string };

export async function readSmallFile(path: string, maxBytes = MAX_REFERENCED_FILE_BYTES): Promise<SmallFileResult> {
  let handle;
  try {
    // O_NONBLOCK: opening a pipe nobody writes to returns at once instead of waiting for a writer.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, reason: 'unreadable', code: (error as NodeJS.ErrnoException).code ?? 'error' };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, reason: 'not-regular' };
    if (info.size > maxBytes) return { ok: false, reason: 'too-large' };
    // One byte more than allowed tells a file that grew since the stat.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) return { ok: false, reason: 'too-large' };
    }
    return { ok: true, text: buffer.subarray(0, length).toString('utf8') };
  } catch (error) {
    return { ok: false, reason: 'unreadable', code: (error as NodeJS.ErrnoException).code ?? 'error' };
  } finally {
    await handle.close();
  }
}

/** The reason in words, for an error or an import problem. */
export function describeSmallFileFailure(path: string, result: Exclude<SmallFileResult, { ok: true }>): string {
  if (result.reason === 'not-regular') return `${path} is not a regular file (a folder, a device or a pipe)`;
  if (result.reason === 'too-large') return `${path} is larger than ${MAX_REFERENCED_FILE_BYTES / 1024 / 1024} MB`;
  return `cannot read ${path} (${result.code ?? 'error'})`;
}
