import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { LabPlan } from '../../shared/contract/labs';
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
