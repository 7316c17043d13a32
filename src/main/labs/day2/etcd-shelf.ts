/**
 * Where a lab's etcd snapshots are kept: a folder of the lab on its host (the SSH user's
 * `.nestlab/labs/<lab>/etcd-snapshots`, mode 0700, files 0600), one `<name>.db` per snapshot with
 * `<name>.json` (its status, one line) and `<name>.keys` (the object keys it saved, for the check
 * after a restore). A snapshot holds every Secret of the cluster in plain text: it moves between
 * a VM and the host over the lab's SSH, never through this computer unless a copy is asked for,
 * and no command prints it.
 */
import type { EtcdSnapshot, LabPlan } from '../../../shared/contract/labs';
import { ETCD_SNAPSHOT_NAME_PATTERN } from '../../../shared/schemas/labs';
import { libvirtPaths } from '../lab-paths';
import type { LabDriver } from '../lab-driver';

/** Where the snapshots of `plan` are kept on its host (relative to the SSH user's home). */
export function shelfDir(plan: LabPlan): string {
  return `${libvirtPaths('/', plan.name).homeDir}/etcd-snapshots`;
}

/** Snapshots kept unless the request says otherwise. */
export const DEFAULT_KEEP = 5;

/** The name of a snapshot taken at `at`: `etcd-YYYYMMDD-HHMMSS` (UTC), so names sort by time. */
export function snapshotName(at: Date): string {
  const iso = at.toISOString();
  return `etcd-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

/**
 * $1 = folder, $2 = file name, the rest = the command (ssh to a VM) whose stdout is the file.
 * Lands in a temporary file under umask 077 and is renamed once the command succeeded, so a cut
 * transfer never leaves a snapshot that looks whole.
 */
const RECEIVE_SCRIPT =
  'umask 077; d=$1; f=$2; shift 2; mkdir -p -m 700 -- "$d" && "$@" >"$d/$f.part" && mv -f -- "$d/$f.part" "$d/$f" && exit 0; ' +
  'rm -f -- "$d/$f.part"; exit 1';

/** $1 = file, the rest = the command (ssh to a VM) that reads it on stdin. */
const SEND_SCRIPT = 'f=$1; shift; "$@" <"$f"';

/** The argv (on the host) that runs `remote` on the VM at `address` with its stdout stored in `dir/file`. */
export function receiveFromVmArgv(driver: LabDriver, address: string, remote: string, dir: string, file: string): string[] {
  return ['sh', '-c', RECEIVE_SCRIPT, 'nestlab-receive', dir, file, ...sshArgv(driver, address, remote)];
}

/** The argv (on the host) that runs `remote` on the VM at `address` with `path` (a host file) on its stdin. */
export function sendToVmArgv(driver: LabDriver, address: string, remote: string, path: string): string[] {
  return ['sh', '-c', SEND_SCRIPT, 'nestlab-send', path, ...sshArgv(driver, address, remote)];
}

function sshArgv(driver: LabDriver, address: string, remote: string): string[] {
  const invocation = driver.vmInvocation(address, remote);
  if (!('argv' in invocation)) throw new Error('etcd snapshots move between a VM and a Linux lab host only');
  return invocation.argv;
}

/**
 * Prints each snapshot's status line whose file is there ($1 = folder). Nothing when the folder
 * does not exist yet.
 */
export const LIST_SCRIPT = 'for j in "$1"/etcd-*.json; do [ -f "$j" ] && [ -f "${j%.json}.db" ] && { cat -- "$j"; echo; }; done; exit 0';

/** The snapshots in LIST_SCRIPT's output, oldest first; lines that are not a snapshot's status are ignored. */
export function parseShelf(output: string): EtcdSnapshot[] {
  const snapshots: EtcdSnapshot[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as Partial<EtcdSnapshot>;
      if (typeof value.name === 'string' && ETCD_SNAPSHOT_NAME_PATTERN.test(value.name) && typeof value.sizeBytes === 'number') {
        snapshots.push(value as EtcdSnapshot);
      }
    } catch {
      // A status file cut short by a dropped connection: the snapshot is not listed (its save did not finish).
    }
  }
  return snapshots.sort((a, b) => a.name.localeCompare(b.name));
}

/** The names to remove so that `keep` remain (the oldest go). */
export function beyondRetention(names: readonly string[], keep: number): string[] {
  const sorted = [...names].sort();
  return sorted.slice(0, Math.max(0, sorted.length - keep));
}

/** The files of one snapshot in `dir`. */
export function snapshotFiles(dir: string, name: string): { db: string; status: string; keys: string } {
  return { db: `${dir}/${name}.db`, status: `${dir}/${name}.json`, keys: `${dir}/${name}.keys` };
}

/** Keys printed by `etcdctl get --keys-only` (one per line, blank lines between). */
export function parseKeys(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Keys whose absence after a restore is not a lost object: Events and the API servers' own
 * endpoint leases are written with etcd leases (TTLs) and expire by themselves. k3s keeps two
 * kinds from what is on its servers: the records of its snapshot files (those of the servers
 * whose old database the restore set aside go), and each node's password Secret (deleted at the
 * first start after a reset, written again when the node's agent registers).
 */
export function checkedKeys(keys: readonly string[]): string[] {
  return keys.filter(
    (key) =>
      !key.startsWith('/registry/events/') &&
      !key.startsWith('/registry/masterleases/') &&
      !key.startsWith('/registry/k3s.cattle.io/etcdsnapshotfiles/') &&
      !/^\/registry\/secrets\/kube-system\/[^/]+\.node-password\.k3s$/.test(key),
  );
}
