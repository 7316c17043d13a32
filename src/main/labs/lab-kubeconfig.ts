import { parse, stringify } from 'yaml';
import type { ApiEndpoint } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

/**
 * The admin kubeconfig of a new cluster, rewritten for Nestlab: its one cluster, user and context
 * all take the lab's name, and the server becomes the stable endpoint (kubeadm writes the
 * endpoint it was given, k3s writes https://127.0.0.1:6443). Parsed as YAML, never edited as text.
 *
 * @throws AppError INVALID_INPUT when the text is not a kubeconfig with one cluster and one user.
 */
export function rewriteKubeconfig(text: string, lab: string, endpoint: ApiEndpoint): string {
  let config: Record<string, unknown>;
  try {
    config = parse(text) as Record<string, unknown>;
  } catch {
    throw new AppError('INVALID_INPUT', 'The kubeconfig fetched from the first control plane is not YAML.');
  }
  const clusters = config?.clusters as Named<Record<string, unknown>>[] | undefined;
  const users = config?.users as Named<Record<string, unknown>>[] | undefined;
  const cluster = clusters?.[0]?.cluster;
  const user = users?.[0]?.user;
  if (cluster === undefined || user === undefined || clusters?.length !== 1 || users?.length !== 1) {
    throw new AppError(
      'INVALID_INPUT',
      'The kubeconfig fetched from the first control plane does not have exactly one cluster and one user.',
    );
  }
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: lab, cluster: { ...cluster, server: `https://${host}:${endpoint.port}` } }],
    users: [{ name: lab, user }],
    contexts: [{ name: lab, context: { cluster: lab, user: lab } }],
    'current-context': lab,
    preferences: {},
  });
}
