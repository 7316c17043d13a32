/**
 * The one place that opens HTTPS connections to API servers (a small factory, so tests point it at
 * a real API server on loopback). Plain node:https rather than a client library: the diagnosis needs
 * Node's own TLS error codes untouched. Credentials arrive resolved; they never appear in errors.
 */
import { request } from 'node:https';
import type { RequestOptions } from 'node:https';
import { diagnoseHttpStatus, diagnoseNetworkError } from './diagnosis';

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
  new Promise((resolve, reject) => {
    const base = new URL(target.server);
    // The server's own path prefix is kept (Rancher-style https://host/k8s/clusters/c-123).
    const path = `${base.pathname.replace(/\/$/, '')}${options.path}`;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'Nestlab' };
    if (body !== undefined) headers['Content-Type'] = options.contentType ?? 'application/json';
    if (target.token !== undefined) headers.Authorization = `Bearer ${target.token}`;
    else if (target.username !== undefined && target.password !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`;
    }
    const requestOptions: RequestOptions = {
      method: options.method ?? 'GET',
      host: base.hostname.replace(/^\[|\]$/g, ''),
      port: base.port || 443,
      path,
      headers,
      agent: false,
      rejectUnauthorized: !target.insecureSkipTlsVerify,
      ...(target.ca === undefined ? {} : { ca: target.ca }),
      ...(target.cert === undefined ? {} : { cert: target.cert }),
      ...(target.key === undefined ? {} : { key: target.key }),
      ...(target.tlsServerName === undefined ? {} : { servername: target.tlsServerName }),
    };
    const timeoutMs = options.timeoutMs ?? 10_000;
    const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    const req = request(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          req.destroy(
            Object.assign(new Error(`The answer of ${options.path} is larger than ${maxBytes} bytes.`), { code: 'ERESPONSETOOLARGE' }),
          );
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(json ?? text);
        else
          reject(diagnoseHttpStatus(status, json, { server: target.server, path: options.path, method: requestOptions.method ?? 'GET' }));
      });
      res.on('error', (error) => reject(diagnoseNetworkError(error, target.server)));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy(Object.assign(new Error(`No answer within ${timeoutMs} ms.`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (error) => reject(diagnoseNetworkError(error, target.server)));
    req.end(body);
  });
