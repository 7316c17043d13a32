/**
 * One JSON request to the API server of a ConnectionTarget (the clusters service's health checks
 * and requestAs, a lab's checks while it is provisioned), through the same client as every other
 * request: the same options, proxy-url, and diagnosis of every failure. Credentials never appear
 * in errors.
 */
import { toKubeConfig, type ConnectionTarget } from './connection-target';
import { createKubeApi } from './kube-api';

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
