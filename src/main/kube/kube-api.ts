/**
 * The one client of an API server (one context, one set of credentials): JSON requests, streams
 * (a container's log) and watches, all plain node:https with the options of request-options.ts,
 * and every failure mapped by kube-errors.ts. Plain HTTPS rather than client-node's typed APIs:
 * deserialising 5,000 pods through them costs ~290 MB; a refusal's Status body (an SSA conflict's
 * field managers, an RBAC message) reaches the caller intact; Node's own TLS error codes reach the
 * diagnosis; and owning the socket lets flow control pause a log and a stuck watch be destroyed.
 * refreshing-kube-api.ts wraps it with the credential refresh after a 401.
 */
import type { IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest, type AgentOptions, type RequestOptions } from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Event } from '../../shared/event';
import { KubeHttpError, parseStatus, streamCutError, toKubeError, type RequestLabel } from './kube-errors';
import { requestOptionsFor, type RequestOptionsBuilder } from './request-options';

/** One watch event as the API server sends it; ERROR events carry a Status (410 Gone...). */
export interface WatchEvent<T = Record<string, unknown>> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** A running watch; `abort` ends it without calling its done callback again. */
export interface WatchHandle {
  abort(): void;
}

/** An open streaming response; `abort` destroys it (its events still fire: listen before calling). */
export interface OpenStream {
  response: IncomingMessage;
  abort(): void;
}

export interface JsonRequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string>;
  /** Default 30 s. */
  timeoutMs?: number;
  /** Answers over this size are cut off with an error. Default 64 MB. */
  maxBytes?: number;
}

export interface KubeApi {
  /** The API server's URL, as errors name it. */
  readonly server: string;
  /** A JSON request; a non-2xx answer or a failure rejects with a diagnosed AppError (details.status for answers). */
  request<T>(method: string, path: string, options?: JsonRequestOptions): Promise<T>;
  /** GET a path and parse its JSON body. */
  getJson<T>(path: string, timeoutMs?: number): Promise<T>;
  /** A streaming GET (a log); resolves once the server answered 2xx. */
  openStream(path: string, connectTimeoutMs?: number): Promise<OpenStream>;
  /**
   * Watch a path (`watch=true` is added). `done` is called once: null when the server closed the
   * watch, else the diagnosed error (a refusal resolves the handle after `done`).
   */
  watch<E = WatchEvent>(
    path: string,
    query: Record<string, string>,
    onEvent: (event: E) => void,
    done: (error: unknown) => void,
  ): Promise<WatchHandle>;
  /** Fires after the credentials were read again (refreshing-kube-api.ts): a retry waiting out a backoff can go now. */
  readonly onDidRefresh?: Event<void>;
}

export interface KubeApiOptions {
  /**
   * Reuse connections for JSON requests (a keep-alive agent per set of TLS options): a 2,000-object
   * apply spent most of its time in TLS handshakes without it. Watches and streams always own theirs.
   * Ignored behind a proxy, whose agent opens each tunnel. Default false.
   */
  keepAlive?: boolean;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The whole body of a response as text; rejects when the response fails midway or grows past maxBytes. */
function readBody(response: IncomingMessage, maxBytes: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        response.destroy(
          Object.assign(new Error(`The answer of ${what} is larger than ${maxBytes} bytes.`), { code: 'ERESPONSETOOLARGE' }),
        );
        return;
      }
      chunks.push(chunk);
    });
    response.on('error', reject);
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const timedOut = (timeoutMs: number) => Object.assign(new Error(`No answer within ${timeoutMs} ms.`), { code: 'ETIMEDOUT' });

class KeepAliveAgents {
  private kept: { key: string; agent: Agent } | undefined;

  /** One keep-alive agent for the TLS options of `options` (they change only when credentials are re-read). */
  for(options: RequestOptions): Agent {
    const tls: AgentOptions = {
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      pfx: options.pfx,
      passphrase: options.passphrase,
      servername: options.servername,
      ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
    };
    const key = JSON.stringify([tls.ca, tls.cert, tls.key, tls.pfx, tls.passphrase, tls.servername, tls.rejectUnauthorized].map(String));
    if (this.kept?.key !== key) {
      this.kept?.agent.destroy();
      // An idle connection is closed after 15 s, so a client nobody uses any more holds nothing.
      this.kept = { key, agent: new Agent({ ...tls, keepAlive: true, maxSockets: 32, timeout: 15_000 }) };
    }
    return this.kept.agent;
  }
}

/** Builds the API access for the current context of `config`. */
export function createKubeApi(config: KubeConfig, apiOptions: KubeApiOptions = {}): KubeApi {
  const builder: RequestOptionsBuilder = requestOptionsFor(config);
  const server = builder.server;
  const agents = apiOptions.keepAlive && !builder.proxied ? new KeepAliveAgents() : undefined;
  const label = (method: string, path: string): RequestLabel => ({ server, method, path: path.split('?')[0] ?? path });

  const api: KubeApi = {
    server,

    async request<T>(method: string, path: string, options: JsonRequestOptions = {}): Promise<T> {
      const what = label(method, path);
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      // Content-Length always: Node does not chunk a DELETE body, and on a kept connection an
      // unframed body would be read by the server as the start of the next request.
      const headers: Record<string, string> =
        body === undefined
          ? {}
          : { 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(body)) };
      try {
        const requestOptions = await builder.build({ method, path, headers, ...(options.query ? { query: options.query } : {}) });
        if (agents) requestOptions.agent = agents.for(requestOptions);
        const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        return await new Promise<T>((resolve, reject) => {
          const req = httpsRequest(requestOptions, (response) => {
            readBody(response, options.maxBytes ?? 64 * 1024 * 1024, what.path).then((text) => {
              const status = response.statusCode ?? 0;
              if (status < 200 || status > 299) {
                reject(new KubeHttpError(status, parseStatus(text)));
                return;
              }
              try {
                resolve((text === '' ? {} : JSON.parse(text)) as T);
              } catch {
                reject(new KubeHttpError(status, { message: `The answer of ${what.path} is not JSON: ${text.slice(0, 200)}` }));
              }
            }, reject);
          });
          req.setTimeout(timeoutMs, () => req.destroy(timedOut(timeoutMs)));
          req.on('error', reject);
          req.end(body);
        });
      } catch (error) {
        throw toKubeError(error, what);
      }
    },

    getJson<T>(path: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
      return api.request<T>('GET', path, { timeoutMs });
    },

    async openStream(path: string, connectTimeoutMs = 15_000): Promise<OpenStream> {
      const what = label('GET', path);
      try {
        const options = await builder.build({ path, headers: { Accept: '*/*' } });
        return await new Promise<OpenStream>((resolve, reject) => {
          const req = httpsRequest(options, (response) => {
            req.setTimeout(0);
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              response.socket.setKeepAlive(true, 30_000);
              resolve({ response, abort: () => req.destroy() });
              return;
            }
            readBody(response, 1024 * 1024, what.path).then((text) => reject(new KubeHttpError(status, parseStatus(text))), reject);
          });
          req.setTimeout(connectTimeoutMs, () => req.destroy(timedOut(connectTimeoutMs)));
          req.on('error', reject);
          req.end();
        });
      } catch (error) {
        throw toKubeError(error, what);
      }
    },

    async watch<E>(path: string, query: Record<string, string>, onEvent: (event: E) => void, done: (error: unknown) => void) {
      const what = label('GET', path);
      let finished = false;
      const finish = (error: unknown) => {
        if (finished) return;
        finished = true;
        done(error === null ? null : toKubeError(error, what));
      };
      let options: RequestOptions;
      try {
        options = await builder.build({ path, query: { ...query, watch: 'true' } });
      } catch (error) {
        finish(error);
        return { abort: () => undefined };
      }
      return new Promise<WatchHandle>((resolve) => {
        const req = httpsRequest(options, (response) => {
          const status = response.statusCode ?? 0;
          // Every response gets an error listener: a socket closing mid-body emits 'aborted' on it.
          response.on('error', () => finish(streamCutError(server)));
          if (status !== 200) {
            readBody(response, 1024 * 1024, what.path).then(
              (text) => finish(new KubeHttpError(status, parseStatus(text))),
              (error: unknown) => finish(error),
            );
            response.on('close', () => resolve(handle));
            return;
          }
          response.socket.setKeepAlive(true, 30_000);
          resolve(handle);
          const lines = createInterface({ input: response });
          // readline re-emits its input's errors ('aborted' when the server goes away).
          lines.on('error', () => finish(streamCutError(server)));
          lines.on('line', (line) => {
            if (finished || line.trim() === '') return;
            try {
              onEvent(JSON.parse(line) as E);
            } catch {
              // A torn line from a dropped stream: the watch restarts from the last good version.
            }
          });
          response.on('close', () => finish(response.complete ? null : streamCutError(server)));
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
  return api;
}
