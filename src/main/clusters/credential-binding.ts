/**
 * Credentials are bound to the API servers they were imported with. A kubeconfig says "send this
 * token to that server"; a name clash choice (keep the existing user, replace a cluster) could
 * otherwise send one cluster's credentials to another cluster's server without anyone noticing.
 * A server here is its URL with the trust that identifies it (CA, TLS server name, or none), so a
 * different CA at the same URL is another server too.
 */
import { createHash } from 'node:crypto';
import type { ClusterEntry, UserEntry } from './kubeconfig-model';

/** The identity of an API server: URL, CA (digest, file or none) and TLS server name. */
export function endpointOf(cluster: ClusterEntry): string {
  const trust =
    cluster.caData !== undefined
      ? `ca-sha256:${createHash('sha256').update(cluster.caData.trim()).digest('hex')}`
      : cluster.caFile !== undefined
        ? `ca-file:${cluster.caFile}`
        : 'system-roots';
  const parts = [cluster.server, trust];
  if (cluster.insecureSkipTlsVerify) parts.push('insecure-skip-tls-verify');
  if (cluster.tlsServerName !== undefined) parts.push(`tls-server-name:${cluster.tlsServerName}`);
  return parts.join(' ');
}

/** Whether a user entry sends anything secret (or runs a plugin that makes credentials). */
export function carriesCredentials(user: UserEntry | undefined): boolean {
  if (user === undefined) return false;
  return (
    user.token !== undefined ||
    user.tokenFile !== undefined ||
    user.clientKeyData !== undefined ||
    user.clientKeyFile !== undefined ||
    user.password !== undefined ||
    user.exec !== undefined ||
    user.authProvider !== undefined
  );
}
