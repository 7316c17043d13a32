/**
 * Files outside a kubeconfig's folder are read at each connection, and what they hold is sent to
 * the server (a token file) or used as its identity. A kubeconfig from someone else could name any
 * file of this user, so the first connection waits until the user allowed exactly these paths.
 */
import type { StoreFile } from './cluster-store';

/** The files a stored context reads when connecting, in a stable order. */
export function externalFilesOf(file: StoreFile, context: string): string[] {
  const stored = file.contexts[context];
  if (stored === undefined) return [];
  const cluster = file.clusters[stored.entry.cluster]?.entry;
  const user = stored.entry.user === '' ? undefined : file.users[stored.entry.user]?.entry;
  const paths = [cluster?.caFile, user?.tokenFile, user?.clientCertFile, user?.clientKeyFile];
  return paths.filter((path): path is string => path !== undefined);
}

/** Whether every file the context reads was allowed for it. */
export function externalFilesAllowed(file: StoreFile, context: string): boolean {
  const allowed = file.fileApprovals?.[context]?.paths ?? [];
  return externalFilesOf(file, context).every((path) => allowed.includes(path));
}
