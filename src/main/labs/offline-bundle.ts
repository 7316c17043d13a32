import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import type { LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { copyBundle, type BundleCopyResult } from '../offline-kit/bundle-copy';
import type { StepContext } from './step-context';

/** One file of an offline bundle on this computer. */
export interface BundleFile {
  /** Path inside the bundle, with '/' separators. */
  relative: string;
}

/**
 * The files of an offline bundle folder (binaries, .debs, image tarballs, manifests), in a stable
 * order, for the checks before its upload. A dry run lists a placeholder instead of reading the disk.
 */
export async function bundleFiles(root: string, dry: boolean): Promise<BundleFile[]> {
  if (dry) return [{ relative: '<each file of the bundle>' }];
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
    .map((entry) => ({ relative: relative(root, join(entry.parentPath, entry.name)).split(sep).join('/') }))
    .sort((a, b) => a.relative.localeCompare(b.relative));
}

/**
 * A plan whose CNI comes from the bundle (cni: 'bundle') needs its plugins (cni/bin/) and a
 * network configuration (cni/net.d/): checked before anything is uploaded, not after kubeadm init.
 * @throws AppError NOT_FOUND naming what is missing and the fix.
 */
export function checkBundleCni(plan: LabPlan, files: readonly BundleFile[]): void {
  if (plan.cni !== 'bundle') return;
  const missing = ['cni/bin/', 'cni/net.d/'].filter((folder) => !files.some((file) => file.relative.startsWith(folder)));
  if (missing.length === 0 || files.some((file) => file.relative.startsWith('<'))) return;
  throw new AppError(
    'NOT_FOUND',
    `The lab's network plugin comes from the offline bundle, but ${plan.offlineBundle ?? 'the bundle'} has no ${missing.join(' and no ')} folder with files.`,
    {
      fix: "Put the CNI plugins (bridge, host-local, loopback, portmap) into cni/bin/ and a network configuration (a .conflist over the lab's pod range) into cni/net.d/ of the bundle, or choose Flannel or Calico, then resume.",
      path: plan.offlineBundle ?? '',
    },
  );
}

/** Of the bundle step's progress, the share of checking the bundle here (hashing) before the copy. */
const VERIFY_SHARE = 0.25;

/**
 * The bundle step's copy (offline-kit's copyBundle): every file is checked against the bundle's
 * manifest.json on this computer first (nothing is sent when one differs), then copied over SFTP
 * to `remoteDir` (relative to the SSH user's home) as .nestlab-part files renamed when whole, so a
 * resume after a dropped connection keeps what arrived. A cancel closes the SFTP session.
 */
export async function copyLabBundle(
  root: string,
  openSftp: (signal: AbortSignal) => Promise<SFTPWrapper>,
  remoteDir: string,
  options: { signal: AbortSignal; progress(fraction: number, detail: string): void },
): Promise<BundleCopyResult> {
  const { signal } = options;
  const cancelled = () => new AppError('CANCELLED', 'The operation was cancelled.');
  if (signal.aborted) throw cancelled();
  const sftp = await openSftp(signal);
  const onAbort = () => sftp.end();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await copyBundle(root, sftp, remoteDir, (progress) => {
      if (progress.phase === 'verify') {
        // Thrown inside the manifest check's loop, which stops there.
        if (signal.aborted) throw cancelled();
        options.progress(progress.fraction * VERIFY_SHARE, `checking ${progress.file}`);
      } else {
        options.progress(VERIFY_SHARE + progress.fraction * (1 - VERIFY_SHARE), progress.file);
      }
    });
  } catch (error) {
    throw signal.aborted ? cancelled() : error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    sftp.end();
  }
}

/** The bundle step's detail: files, and what a resume kept. */
export function bundleCopyDetail(copied: BundleCopyResult): string {
  const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
  return copied.keptBytes > 0
    ? `${copied.files} files, ${mib(copied.sentBytes)} sent, ${mib(copied.keptBytes)} kept from an earlier copy`
    : `${copied.files} files, ${mib(copied.sentBytes)} sent`;
}

/**
 * A Linux lab host checks its copy with coreutils (`sha256sum -c SHA256SUMS`): a resumed copy
 * continues the part files the host kept, so the host's bytes are checked, not only this
 * computer's. Files that differ are removed, so a resume copies them again.
 * @throws AppError FILE_CORRUPT naming the files.
 */
export async function checkBundleOnHost(ctx: StepContext, remoteDir: string): Promise<void> {
  const check = await ctx.observeHost(['sh', '-c', 'cd -- "$1" && sha256sum -c --quiet SHA256SUMS', 'nestlab-bundle-check', remoteDir], {
    timeoutMs: 600_000,
  });
  if (check.exitCode === 0 || ctx.dry) return;
  const damaged = [...check.stdout.matchAll(/^(.+): FAILED/gm)].map((match) => match[1] ?? '').filter((name) => name !== '');
  if (damaged.length > 0) await ctx.host(['rm', '-f', '--', ...damaged.map((name) => `${remoteDir}/${name}`)]);
  throw new AppError(
    'FILE_CORRUPT',
    damaged.length > 0
      ? `The offline bundle's copy on the host differs from its checksums in ${damaged.join(', ')}; ${damaged.length === 1 ? 'that file was' : 'those files were'} removed from ${remoteDir}.`
      : `The offline bundle's copy on the host could not be checked with sha256sum: ${check.stderr.trim() || `exit ${check.exitCode}`}.`,
    {
      fix:
        damaged.length > 0
          ? 'Resume the lab: the removed files are copied again.'
          : 'Check that the host has coreutils (sha256sum) and that the bundle folder is readable, then resume.',
      files: damaged,
    },
  );
}
