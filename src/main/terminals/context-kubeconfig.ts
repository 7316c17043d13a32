import type { KubeConfig } from '@kubernetes/client-node';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives the kubeconfig of one context: YAML holding only that context, its cluster and its
 * user, secrets included, with current-context set. The clusters service is expected to offer
 * this; tests use the harness's kubeconfigs.
 */
export interface ContextKubeconfigProvider {
  kubeconfigFor(context: string): Promise<string>;
  /**
   * A client-node KubeConfig with the context's credentials already resolved (a credential
   * plugin run by the clusters service, with its time limit): pod exec uses this, so client-node
   * never runs a plugin itself. Without it, a kubeconfig whose user runs a plugin is refused.
   */
  kubeConfigFor?(context: string): Promise<KubeConfig>;
}

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
  const dir = await mkdtemp(join(parent, 'nestlab-kubeconfig-'));
  const path = join(dir, 'config');
  await writeFile(path, yaml, { mode: 0o600, flag: 'wx' });
  let removed: Promise<void> | undefined;
  return { path, remove: () => (removed ??= rm(dir, { recursive: true, force: true })) };
}
