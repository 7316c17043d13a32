/**
 * Where a lab's things live on its host. Every name is derived from the lab name (a DNS label)
 * and the VM names built from it, so deleting a lab removes exactly these and nothing else.
 */

/** The user cloud-init creates in every VM; the engine signs in as it with the lab's key. */
export const VM_USER = 'nestlab';

/** Names and paths of one lab on a Linux (libvirt) host. */
export interface LibvirtLabPaths {
  /** Disks and seed images: <storage>/nestlab-<lab>, created as root. */
  storageDir: string;
  /** The lab's SSH key and known_hosts for its VMs, in the SSH user's home (relative: commands start there). */
  homeDir: string;
  key: string;
  knownHosts: string;
  /** libvirt network of a NAT lab. */
  network: string;
  /** libvirt storage pool over `storageDir`. */
  pool: string;
}

export function libvirtPaths(storagePath: string, lab: string): LibvirtLabPaths {
  const homeDir = `.nestlab/labs/${lab}`;
  return {
    storageDir: `${storagePath.replace(/\/+$/, '')}/nestlab-${lab}`,
    homeDir,
    key: `${homeDir}/id_ed25519`,
    knownHosts: `${homeDir}/known_hosts`,
    network: `nestlab-${lab}`,
    pool: `nestlab-${lab}`,
  };
}

export function diskPath(storageDir: string, vm: string, extension: 'qcow2' | 'vhdx'): string {
  return `${storageDir}/${vm}.${extension}`;
}

export function seedPath(storageDir: string, vm: string): string {
  return `${storageDir}/${vm}-seed.iso`;
}
