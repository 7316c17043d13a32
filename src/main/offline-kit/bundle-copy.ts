import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { MANIFEST_NAME, SHA256SUMS_NAME, verifyBundle } from './bundle-manifest';
import { uploadFiles, type UploadProgress, type UploadResult } from './sftp-upload';

/** What a copy did: the files of the bundle (with its manifest and SHA256SUMS), bytes sent and kept. */
export interface BundleCopyResult extends UploadResult {
  files: number;
}

export interface BundleCopyProgress {
  phase: 'verify' | 'copy';
  /** 0..1 of the phase. */
  fraction: number;
  file: string;
}

/**
 * Checks the bundle against its manifest (a changed, missing or added file is refused before a
 * byte leaves this computer), then copies it with its manifest and SHA256SUMS over SFTP to
 * `remoteDir`, resuming what an earlier, dropped copy left there. The host can check its copy with
 * `sha256sum -c SHA256SUMS` in `remoteDir`.
 */
export async function copyBundle(
  root: string,
  sftp: SFTPWrapper,
  remoteDir: string,
  onProgress: (progress: BundleCopyProgress) => void = () => undefined,
): Promise<BundleCopyResult> {
  const { files } = await verifyBundle(root, (index, count, file) => onProgress({ phase: 'verify', fraction: index / count, file }));
  const extras = await Promise.all(
    [MANIFEST_NAME, SHA256SUMS_NAME].map(async (name) => ({
      relative: name,
      path: join(root, name),
      size: (await stat(join(root, name))).size,
    })),
  );
  const all = [...files, ...extras];
  const result = await uploadFiles(sftp, all, remoteDir, (progress: UploadProgress) =>
    onProgress({ phase: 'copy', fraction: progress.totalBytes === 0 ? 1 : progress.doneBytes / progress.totalBytes, file: progress.file }),
  );
  return { ...result, files: all.length };
}
