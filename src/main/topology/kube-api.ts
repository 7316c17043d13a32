/**
 * The side-effecting edge of the topology service: JSON GETs and watches against one API
 * server, built from a client-node KubeConfig (tests point it at the harness's real API server).
 * Lists are read as raw JSON rather than through client-node's typed API: its deserialisation
 * of 5,000 pods costs ~290 MB and most of the time (ENVIRONMENT.md). Watches are plain HTTPS
 * streams too: client-node's Watch (node-fetch) kept failing with AbortError after an API
 * server restart in our tests, and owning the socket lets a stuck stream be destroyed.
 * The request building and error reading below are also what the pods' log streams use
 * (pods/kube-stream.ts).
 */
import type { IncomingMessage } from 'node:http';
import { request, type RequestOptions } from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';
import type { RawWatchEvent } from './raw-objects';

/** A running watch; `abort` ends it without calling its done callback again. */
export interface WatchHandle {
  abort(): void;
}

export interface KubeApi {
  /** GET a path and parse its JSON body; a non-2xx status throws {@link KubeHttpError}. */
  getJson<T>(path: string, timeoutMs?: number): Promise<T>;
  /** Watch a path (`watch=true` is added); `done` is called once, with the error or null when the server closed it. */
  watch(
    path: string,
    query: Record<string, string>,
    onEvent: (event: RawWatchEvent) => void,
    done: (error: unknown) => void,
  ): Promise<WatchHandle>;
}

/** An HTTP status from the API server, with the Status message when it sent one. */
export class KubeHttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The error as the status panel shows it. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const statusCode = error instanceof KubeHttpError ? error.statusCode : (error as { statusCode?: unknown } | null)?.statusCode;
  const message = error instanceof Error ? error.message : String(error);
  if (statusCode === 401) return new AppError('UNAUTHORIZED', `The API server refused the credentials: ${message}`);
  if (statusCode === 403) return new AppError('FORBIDDEN', `Not allowed: ${message}`);
  if (statusCode === 404) return new AppError('NOT_FOUND', message);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|EPIPE)$/.test(code)) {
    return new AppError('UNREACHABLE', `The API server cannot be reached (${code}).`);
  }
  if (typeof statusCode === 'number') return new AppError('INTERNAL', `The API server answered ${statusCode}: ${message}`);
  return new AppError('UNREACHABLE', `The API server connection failed: ${message}`);
}

/** Builds GET requests to `path` on `config`'s API server, with `accept` as the Accept header. */
export type KubeGetOptions = (path: string, accept: string) => Promise<RequestOptions>;

/**
 * GET requests for the current context of `config`: the server's address and its own path prefix
 * (Rancher-style https://host/k8s/clusters/c-123), then client-node's TLS options, credentials
 * (token, client certificate, exec plugin) and a new agent for each request.
 */
export function kubeGetOptions(config: KubeConfig): KubeGetOptions {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new AppError('NOT_FOUND', 'The kubeconfig has no cluster for its current context.');
  const server = new URL(cluster.server);
  return async (path, accept) => {
    const options: RequestOptions = {
      hostname: server.hostname.replace(/^\[|\]$/g, ''),
      port: Number(server.port || 443),
      path: `${server.pathname.replace(/\/$/, '')}${path}`,
      method: 'GET',
      headers: { Accept: accept },
    };
    await config.applyToHTTPSOptions(options);
    return options;
  };
}

/** The whole body of a response as text; rejects when the response fails midway. */
export function readText(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('error', reject);
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** The message of the Kubernetes Status object in `body`, or undefined when the body is not one. */
export function statusMessageIn(body: string): string | undefined {
  try {
    const message = (JSON.parse(body) as { message?: unknown } | null)?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the API access for the current context of `config`. */
export function createKubeApi(config: KubeConfig): KubeApi {
  const getOptions = kubeGetOptions(config);
  const requestOptions = (path: string) => getOptions(path, 'application/json');
  return {
    async getJson<T>(path: string, timeoutMs = 60_000): Promise<T> {
      const options = await requestOptions(path);
      return new Promise<T>((resolve, reject) => {
        const req = request(options, (response) => {
          readText(response).then((text) => {
            const status = response.statusCode ?? 0;
            if (status < 200 || status > 299) {
              reject(new KubeHttpError(status, statusMessageIn(text) ?? response.statusMessage ?? `HTTP ${status}`));
              return;
            }
            try {
              resolve(JSON.parse(text) as T);
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          }, reject);
        });
        req.setTimeout(timeoutMs, () => req.destroy(new AppError('TIMEOUT', `GET ${path} took longer than ${timeoutMs} ms.`)));
        req.on('error', reject);
        req.end();
      });
    },
    async watch(path, query, onEvent, done) {
      const search = new URLSearchParams({ ...query, watch: 'true' });
      const options = await requestOptions(`${path}?${search.toString()}`);
      // A watch owns its connection: never a pooled keep-alive socket to a server that restarted.
      options.agent = false;
      let finished = false;
      const finish = (error: unknown) => {
        if (finished) return;
        finished = true;
        done(error);
      };
      return new Promise<WatchHandle>((resolve) => {
        const req = request(options, (response) => {
          const status = response.statusCode ?? 0;
          // Every response gets an error listener: a socket closing mid-body emits 'aborted' on it.
          response.on('error', finish);
          if (status !== 200) {
            response.resume();
            finish(new KubeHttpError(status, response.statusMessage ?? `HTTP ${status}`));
            resolve(handle);
            return;
          }
          response.socket.setKeepAlive(true, 30_000);
          resolve(handle);
          const lines = createInterface({ input: response });
          // readline re-emits its input's errors ('aborted' when the server goes away).
          lines.on('error', finish);
          lines.on('line', (line) => {
            if (finished || line === '') return;
            try {
              onEvent(JSON.parse(line) as RawWatchEvent);
            } catch {
              // A torn line from a dropped stream: the watch restarts from the last good version.
            }
          });
          response.on('close', () => finish(response.complete ? null : new Error('The watch stream was cut.')));
        });
        const handle: WatchHandle = {
          abort: () => {
            finished = true;
            req.destroy();
          },
        };
        req.on('error', (error) => {
          finish(error);
          resolve(handle);
        });
        req.end();
      });
    },
  };
}
