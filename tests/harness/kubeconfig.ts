import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { AppError } from '../../src/shared/errors';
import type { KubeConfigProvider } from '../../src/main/kube/kubeconfig-provider';

/** What a client needs to reach the API server with a bearer token. */
export interface ClusterAccess {
  /** `https://127.0.0.1:<port>` */
  server: string;
  token: string;
  /** PEM of the CA that signed the API server's certificate. */
  caCertPem: string;
}

/** Names written into a kubeconfig; all default to `nestlab-test`-style names. */
export interface KubeconfigNames {
  cluster?: string;
  user?: string;
  context?: string;
  namespace?: string;
}

/** Renders a kubeconfig (token auth, CA embedded as certificate-authority-data) as YAML. */
export function renderKubeconfig(access: ClusterAccess, names: KubeconfigNames = {}): string {
  const cluster = names.cluster ?? 'nestlab-test';
  const user = names.user ?? 'nestlab-test-admin';
  const context = names.context ?? `${user}@${cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: {
          server: access.server,
          'certificate-authority-data': Buffer.from(access.caCertPem).toString('base64'),
        },
      },
    ],
    users: [{ name: user, user: { token: access.token } }],
    contexts: [
      {
        name: context,
        context: { cluster, user, ...(names.namespace !== undefined ? { namespace: names.namespace } : {}) },
      },
    ],
    'current-context': context,
    preferences: {},
  });
}

/** Writes {@link renderKubeconfig}'s YAML to `path` with mode 0600 (it holds a token). */
export async function writeKubeconfig(path: string, access: ClusterAccess, names?: KubeconfigNames): Promise<string> {
  const yaml = renderKubeconfig(access, names);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, yaml, { mode: 0o600 });
  // writeFile keeps the mode of an existing file; make sure an old world-readable file is fixed.
  await chmod(path, 0o600);
  return yaml;
}

/**
 * A KubeConfigProvider over one kubeconfig text and one context name, as the Clusters service
 * gives the app's services theirs: another context is NOT_FOUND.
 */
export function kubeconfigProvider(kubeconfig: string, context: string): KubeConfigProvider {
  return {
    kubeConfigFor: (asked) => {
      if (asked !== context) return Promise.reject(new AppError('NOT_FOUND', `no context ${asked}`));
      const config = new KubeConfig();
      config.loadFromString(kubeconfig);
      return Promise.resolve(config);
    },
    contextNames: () => Promise.resolve([context]),
  };
}
