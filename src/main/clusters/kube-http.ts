/**
 * The clusters service's (and the labs') requests: one JSON request to the API server of a
 * ConnectionTarget, through src/main/kube like every other service's (the same options, proxy-url,
 * and diagnosis of every failure). Credentials arrive resolved; they never appear in errors.
 */
import { createKubeApi } from '../kube/kube-api';
import { toKubeConfig } from './client-node-config';

/** Everything needed to talk to one API server as one identity. Main-process only: holds secrets. */
export interface ConnectionTarget {
  server: string;
  /** PEM; absent means the system's trusted CAs. */
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  username?: string;
  password?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  /** The kubeconfig's proxy-url: connections tunnel through it (HTTP CONNECT, or SOCKS). */
  proxyUrl?: string;
}

export interface KubeRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  timeoutMs?: number;
  /** Responses over this size are cut off with an error. Default 32 MB. */
  maxBytes?: number;
  contentType?: string;
}

export type KubeRequester = (target: ConnectionTarget, options: KubeRequest) => Promise<unknown>;

/** JSON over HTTPS; non-2xx answers and network failures throw diagnosed AppErrors. */
export const kubeRequest: KubeRequester = (target, options) =>
  createKubeApi(toKubeConfig('target', undefined, target)).request(options.method ?? 'GET', options.path, {
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    timeoutMs: options.timeoutMs ?? 10_000,
    maxBytes: options.maxBytes ?? 32 * 1024 * 1024,
  });
