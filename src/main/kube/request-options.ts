/**
 * The one request-options builder: node:https options for the current context of a client-node
 * KubeConfig, which the clusters service builds with credentials it resolved itself (secrets,
 * referenced files, an approved plugin run under its time limit). The server's own path prefix is
 * kept (Rancher-style https://host/k8s/clusters/c-123). client-node's applyToHTTPSOptions adds
 * the TLS options, the credentials and an agent of its own for each request: a new connection,
 * or a tunnel through the cluster's proxy-url (HTTP CONNECT, or SOCKS). That agent is never
 * replaced, or the proxy would be bypassed.
 */
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';

export interface RequestSpec {
  method?: string;
  /** API path, e.g. /api/v1/pods; the query is added from `query`. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface RequestOptionsBuilder {
  /** The server URL of the context (for diagnoses). */
  readonly server: string;
  /** Whether requests go through a proxy (its own agent, never a shared keep-alive one). */
  readonly proxied: boolean;
  build(spec: RequestSpec): Promise<RequestOptions>;
}

export function withQuery(path: string, query?: Record<string, string>): string {
  if (!query || Object.keys(query).length === 0) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${new URLSearchParams(query).toString()}`;
}

export function requestOptionsFor(config: KubeConfig): RequestOptionsBuilder {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new AppError('NOT_FOUND', 'The kubeconfig has no cluster for its current context.');
  const server = new URL(cluster.server);
  return {
    server: cluster.server,
    proxied: Boolean(cluster.proxyUrl),
    async build(spec) {
      const options: RequestOptions = {
        hostname: server.hostname.replace(/^\[|\]$/g, ''),
        port: Number(server.port || 443),
        path: `${server.pathname.replace(/\/$/, '')}${withQuery(spec.path, spec.query)}`,
        method: spec.method ?? 'GET',
        headers: { Accept: 'application/json', 'User-Agent': 'Nestlab', ...spec.headers },
      };
      await config.applyToHTTPSOptions(options);
      return options;
    },
  };
}
