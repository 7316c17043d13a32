import type { KubeConfig } from '@kubernetes/client-node';
import { lstat, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives the kubeconfig of one context: YAML holding only that context, its cluster and its
 * user, secrets included, with current-context set. The clusters service is expected to offer
 * this; tests use the harness's kubeconfigs.
 */
export interface ContextKubeconfigProvider {
  kubeconfigYamlFor(context: string): Promise<string>;
  /**
   * A client-node KubeConfig with the context's credentials already resolved by the clusters
   * service (a plugin run under its time limit) and held as a token, certificate or password only
   * (kube/connection-target.ts), for pod exec. Without it, pod exec loads the YAML itself and
   * refuses a user that runs a plugin.
   */
  kubeConfigFor?(context: string): Promise<KubeConfig>;
}

const prefix = 'nestlab-kubeconfig-';
/** Folders from before the pid was in the name: removed once they are this old. */
const UNOWNED_MAX_AGE_MS = 24 * 60 * 60_000;

/** A kubeconfig file private to one terminal. */
export interface PrivateKubeconfig {
  path: string;
  /** Deletes the file and its folder; safe to call twice. */
  remove(): Promise<void>;
}

/**
 * Writes `yaml` to a new folder (mode 0700) as `config` (mode 0600), so only this user can read
 * the credentials and two terminals never share a file.
 */
export async function writePrivateKubeconfig(yaml: string, parent = tmpdir()): Promise<PrivateKubeconfig> {
  // The pid in the name tells a later start whether the owner is gone (cleanStaleKubeconfigs).
  const dir = await mkdtemp(join(parent, `${prefix}${process.pid}-`));
  const path = join(dir, 'config');
  await writeFile(path, yaml, { mode: 0o600, flag: 'wx' });
  let removed: Promise<void> | undefined;
  return { path, remove: () => (removed ??= rm(dir, { recursive: true, force: true })) };
}

/**
 * Removes private kubeconfigs (credentials in plain text) that a crashed or killed Nestlab left in
 * `parent`: folders of this user whose owning process is gone. Folders of a Nestlab still running
 * (the desktop app and browser mode can run side by side) are kept. Returns what was removed.
 */
export async function cleanStaleKubeconfigs(
  parent = tmpdir(),
  isRunning: (pid: number) => boolean = processIsRunning,
  now = Date.now(),
): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const path = join(parent, name);
    const info = await lstat(path).catch(() => undefined);
    if (info === undefined || !info.isDirectory() || (process.getuid !== undefined && info.uid !== process.getuid())) continue;
    const pid = /^(\d+)-/.exec(name.slice(prefix.length))?.[1];
    const stale = pid === undefined ? now - info.mtimeMs > UNOWNED_MAX_AGE_MS : !isRunning(Number(pid));
    if (!stale) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
