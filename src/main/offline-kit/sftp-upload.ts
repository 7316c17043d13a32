/**
 * Copies checked bundle files to a host over SFTP, with progress, and resumes after a dropped
 * connection: each file is written as `<name>.nestlab-part` and renamed when every byte arrived,
 * so a finished file is never partial; a later run skips finished files of the right size and
 * appends to a part file from where it stopped.
 */
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { AppError } from '../../shared/errors';
import type { VerifiedFile } from './bundle-manifest';

export const PART_SUFFIX = '.nestlab-part';

export interface UploadProgress {
  /** Bytes of the whole set on the host now (finished files, part files and what this run sent). */
  doneBytes: number;
  totalBytes: number;
  /** The file being copied. */
  file: string;
}

export interface UploadResult {
  /** Bytes this run sent (less than the total after a resume). */
  sentBytes: number;
  /** Bytes already on the host from an earlier run, kept. */
  keptBytes: number;
}

/** Copies `files` under `remoteDir` (created as needed). A dropped connection rejects with SSH_DISCONNECTED; call again to resume. */
export async function uploadFiles(
  sftp: SFTPWrapper,
  files: readonly Pick<VerifiedFile, 'relative' | 'path' | 'size'>[],
  remoteDir: string,
  onProgress: (progress: UploadProgress) => void = () => undefined,
): Promise<UploadResult> {
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  let doneBytes = 0;
  let sentBytes = 0;
  let keptBytes = 0;
  const made = new Set<string>();
  // A dropped connection closes the session; a write waiting for its answer would wait for ever.
  let failCurrent: ((error: Error) => void) | undefined;
  let closed: Error | undefined;
  const onClose = () => {
    closed = new Error('the connection closed');
    failCurrent?.(closed);
  };
  sftp.once('close', onClose);
  try {
    for (const file of files) {
      if (closed !== undefined) throw dropped(closed, file.relative);
      await copyOne(file);
    }
  } finally {
    sftp.removeListener('close', onClose);
  }
  return { sentBytes, keptBytes };

  async function copyOne(file: Pick<VerifiedFile, 'relative' | 'path' | 'size'>): Promise<void> {
    const target = posix.join(remoteDir, file.relative);
    await mkdirs(sftp, posix.dirname(target), made);
    const finished = await statOf(sftp, target);
    if (finished?.size === file.size) {
      doneBytes += file.size;
      keptBytes += file.size;
      onProgress({ doneBytes, totalBytes, file: file.relative });
      return;
    }
    const part = `${target}${PART_SUFFIX}`;
    const partSize = (await statOf(sftp, part))?.size ?? 0;
    // A part file longer than the file is from another bundle: start it again.
    const offset = partSize <= file.size ? partSize : 0;
    keptBytes += offset;
    doneBytes += offset;
    await new Promise<void>((resolve, reject) => {
      const input = createReadStream(file.path, { start: offset });
      const output = sftp.createWriteStream(part, { flags: offset > 0 ? 'r+' : 'w', start: offset, mode: 0o644 });
      const fail = (error: Error) => {
        failCurrent = undefined;
        input.destroy();
        output.destroy();
        reject(dropped(error, file.relative));
      };
      failCurrent = fail;
      input.on('data', (chunk) => {
        sentBytes += chunk.length;
        doneBytes += chunk.length;
        onProgress({ doneBytes, totalBytes, file: file.relative });
      });
      input.on('error', fail);
      output.on('error', fail);
      output.on('close', () => {
        failCurrent = undefined;
        resolve();
      });
      input.pipe(output);
    });
    const written = await statOf(sftp, part);
    if (written?.size !== file.size) {
      throw new AppError(
        'SSH_DISCONNECTED',
        `${file.relative} arrived with ${written?.size ?? 0} of ${file.size} bytes; copy the bundle again to resume.`,
        {
          file: file.relative,
        },
      );
    }
    if (finished !== undefined) await call<void>((done) => sftp.unlink(target, done));
    await call<void>((done) => sftp.rename(part, target, done));
  }
}

async function mkdirs(sftp: SFTPWrapper, dir: string, made: Set<string>): Promise<void> {
  if (made.has(dir) || dir === '/' || dir === '.' || dir === '') return;
  await mkdirs(sftp, posix.dirname(dir), made);
  if ((await statOf(sftp, dir)) === undefined) await call<void>((done) => sftp.mkdir(dir, { mode: 0o755 }, done));
  made.add(dir);
}

async function statOf(sftp: SFTPWrapper, path: string): Promise<Stats | undefined> {
  return new Promise((resolve, reject) => {
    sftp.stat(path, (error, stats) => {
      if (error === undefined || error === null) resolve(stats);
      else if ((error as Error & { code?: number }).code === 2)
        resolve(undefined); // SSH_FX_NO_SUCH_FILE
      else reject(dropped(error, path));
    });
  });
}

function call<T>(start: (done: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => (error ? reject(dropped(error, '')) : resolve(value as T)));
  });
}

function dropped(error: Error, file: string): AppError {
  if (error instanceof AppError) return error;
  return new AppError(
    'SSH_DISCONNECTED',
    `Copying the bundle${file === '' ? '' : ` (${file})`} stopped: ${error.message}. Copy it again: what arrived is kept and the copy resumes.`,
    file === '' ? {} : { file },
  );
}
