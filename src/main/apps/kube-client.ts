/**
 * The side-effecting edge of the apps service: JSON requests, server-side apply, discovery and
 * watches against one API server, built from a client-node KubeConfig (its credentials and TLS
 * options via applyToHTTPSOptions). Requests are plain HTTPS so the Status body of a refusal
 * (an SSA conflict's field managers, an RBAC message) reaches the caller intact.
 */
import { Agent, request as httpsRequest, type AgentOptions, type RequestOptions } from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../../shared/contract/apps';
import { AppError } from '../../shared/errors';
import { parseServerVersion, type ServerVersion } from './old-server-defaults';
import type { KubeObject } from './yaml-documents';

/** A Kubernetes Status (the body of a refusal). */
export interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
}

/** A non-2xx answer, with the Status the server sent. */
export class KubeStatusError extends Error {
  constructor(
    readonly statusCode: number,
    readonly status: KubeStatus,
  ) {
    super(status.message ?? `HTTP ${statusCode}`);
  }
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

export interface WatchHandle {
  abort(): void;
}

export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** The error as the UI shows it: RBAC, conflict (with the other field managers), invalid, unreachable. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof KubeStatusError) {
    const message = error.status.message ?? error.message;
    switch (error.statusCode) {
      case 401:
        return new AppError('UNAUTHORIZED', `The API server refused the credentials: ${message}`);
      case 403:
        return new AppError('FORBIDDEN', `Not allowed: ${message}`);
      case 404:
        return new AppError('NOT_FOUND', message);
      case 409: {
        const causes = error.status.details?.causes ?? [];
        const managers = [...new Set([...message.matchAll(/conflict with "([^"]+)"/g)].map((m) => m[1] ?? ''))].filter(Boolean);
        if (managers.length > 0) {
          const fields = causes.map((cause) => cause.field).filter((field): field is string => typeof field === 'string');
          return new AppError(
            'CONFLICT',
            `Field manager${managers.length > 1 ? 's' : ''} ${managers.map((m) => `"${m}"`).join(', ')} own${managers.length > 1 ? '' : 's'} ${fields.join(', ') || 'fields'} this apply sets. Apply with force to take them over.`,
            { managers, fields },
          );
        }
        return new AppError('ALREADY_EXISTS', message);
      }
      case 400:
      case 422: {
        // The server names the fields it refused (details.causes[].field): keep them for the caller.
        const causes = (error.status.details?.causes ?? []).map((cause) => ({
          ...(cause.field === undefined ? {} : { field: cause.field }),
          message: cause.message ?? cause.reason ?? '',
        }));
        return new AppError('INVALID_INPUT', message, causes.length > 0 ? { causes } : undefined);
      }
      default:
        return new AppError('INTERNAL', `The API server answered ${error.statusCode}: ${message}`, { status: error.statusCode });
    }
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENOTFOUND|ETIMEDOUT|EPIPE)$/.test(code)) {
    return new AppError('UNREACHABLE', `The API server cannot be reached (${code}).`);
  }
  return new AppError('UNREACHABLE', `The API server connection failed: ${message}`);
}

export interface KubeClient {
  request<T>(method: string, path: string, options?: { body?: unknown; contentType?: string; query?: Record<string, string> }): Promise<T>;
  /** GET, or undefined on 404. */
  get<T>(path: string): Promise<T | undefined>;
  /** Plural and scope of a kind; NOT_FOUND when the server does not offer it. */
  resource(apiVersion: string, kind: string): Promise<ResourceInfo>;
  /** The API path of an object (namespace already set on namespaced objects). */
  objectPath(object: { apiVersion: string; kind: string; name: string; namespace?: string }): Promise<string>;
  /** The server's major.minor from /version (asked once); undefined when it does not say. */
  serverVersion(): Promise<ServerVersion | undefined>;
  /** Server-side apply under the field manager "nestlab". */
  apply(object: KubeObject, options: { dryRun: boolean; force: boolean }): Promise<KubeObject>;
  watch(
    path: string,
    query: Record<string, string>,
    onEvent: (event: WatchEvent) => void,
    done: (error: unknown) => void,
  ): Promise<WatchHandle>;
}

function apiBase(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

export function createKubeClient(config: KubeConfig): KubeClient {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new AppError('NOT_FOUND', 'The kubeconfig has no cluster for its current context.');
  const server = new URL(cluster.server);
  const discovery = new Map<string, Promise<{ kind: string; name: string; namespaced: boolean }[]>>();
  let version: Promise<ServerVersion | undefined> | undefined;
  // client-node builds a new Agent for every applyToHTTPSOptions, so each request paid a TLS
  // handshake: a 2,000-object apply spent most of its time there. One keep-alive agent per
  // set of TLS options (they change only when a credential is re-read) reuses connections.
  let kept: { key: string; agent: Agent } | undefined;
  const keepAliveAgent = (options: RequestOptions): Agent => {
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
    if (kept?.key !== key) {
      kept?.agent.destroy();
      // An idle connection is closed after 15 s, so a client nobody uses any more holds nothing.
      kept = { key, agent: new Agent({ ...tls, keepAlive: true, maxSockets: 32, timeout: 15_000 }) };
    }
    return kept.agent;
  };

  const optionsFor = async (method: string, path: string, headers: Record<string, string>, reuse = false): Promise<RequestOptions> => {
    const options: RequestOptions = {
      hostname: server.hostname.replace(/^\[|\]$/g, ''),
      port: Number(server.port || 443),
      path: `${server.pathname.replace(/\/$/, '')}${path}`,
      method,
      headers: { Accept: 'application/json', ...headers },
    };
    await config.applyToHTTPSOptions(options);
    // A proxy needs client-node's own (proxy) agent. Watches keep theirs: they hold a connection for minutes.
    if (reuse && !cluster.proxyUrl) options.agent = keepAliveAgent(options);
    return options;
  };

  const withQuery = (path: string, query?: Record<string, string>) => {
    if (!query || Object.keys(query).length === 0) return path;
    return `${path}${path.includes('?') ? '&' : '?'}${new URLSearchParams(query).toString()}`;
  };

  const client: KubeClient = {
    async request<T>(
      method: string,
      path: string,
      opts: { body?: unknown; contentType?: string; query?: Record<string, string> } = {},
    ): Promise<T> {
      const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      // Content-Length always: Node does not chunk a DELETE body, and on a kept connection an
      // unframed body would be read by the server as the start of the next request.
      const headers: Record<string, string> =
        body === undefined
          ? {}
          : { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(body)) };
      const options = await optionsFor(method, withQuery(path, opts.query), headers, true);
      return new Promise<T>((resolve, reject) => {
        const req = httpsRequest(options, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            let parsed: unknown;
            try {
              parsed = text === '' ? {} : JSON.parse(text);
            } catch {
              parsed = { message: text.slice(0, 500) };
            }
            if (status >= 200 && status < 300) resolve(parsed as T);
            else reject(new KubeStatusError(status, parsed as KubeStatus));
          });
        });
        req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
        req.on('error', reject);
        req.end(body);
      }).catch((error: unknown) => {
        throw toAppError(error);
      });
    },

    async get<T>(path: string): Promise<T | undefined> {
      try {
        return await client.request<T>('GET', path);
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }
    },

    async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
      let list = discovery.get(apiVersion);
      if (!list) {
        list = client
          .request<{ resources?: { kind: string; name: string; namespaced: boolean }[] }>('GET', apiBase(apiVersion))
          .then((answer) => answer.resources ?? []);
        discovery.set(apiVersion, list);
        list.catch(() => discovery.delete(apiVersion));
      }
      let resources: { kind: string; name: string; namespaced: boolean }[];
      try {
        resources = await list;
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') {
          throw new AppError('NOT_FOUND', `The server does not offer ${apiVersion}.`, { apiVersion, kind });
        }
        throw error;
      }
      const found = resources.find((resource) => resource.kind === kind && !resource.name.includes('/'));
      if (!found) throw new AppError('NOT_FOUND', `The server offers no kind ${kind} in ${apiVersion}.`, { apiVersion, kind });
      return { plural: found.name, namespaced: found.namespaced };
    },

    serverVersion(): Promise<ServerVersion | undefined> {
      version ??= client.request<{ major?: string; minor?: string }>('GET', '/version').then(parseServerVersion, () => {
        version = undefined; // asked again next time
        return undefined;
      });
      return version;
    },

    async objectPath(object): Promise<string> {
      const info = await client.resource(object.apiVersion, object.kind);
      const scope = info.namespaced ? `/namespaces/${encodeURIComponent(object.namespace ?? 'default')}` : '';
      return `${apiBase(object.apiVersion)}${scope}/${info.plural}/${encodeURIComponent(object.name)}`;
    },

    async apply(object: KubeObject, options: { dryRun: boolean; force: boolean }): Promise<KubeObject> {
      const path = await client.objectPath({ ...object, name: object.metadata.name, namespace: object.metadata.namespace });
      const query: Record<string, string> = { fieldManager: FIELD_MANAGER };
      if (options.dryRun) query.dryRun = 'All';
      if (options.force) query.force = 'true';
      // JSON is YAML: the apply-patch content type accepts it as is.
      return client.request<KubeObject>('PATCH', path, { body: object, contentType: 'application/apply-patch+yaml', query });
    },

    async watch(path, query, onEvent, done): Promise<WatchHandle> {
      const options = await optionsFor('GET', withQuery(path, { ...query, watch: 'true' }), {});
      let finished = false;
      const finish = (error: unknown) => {
        if (finished) return;
        finished = true;
        done(error);
      };
      const req = httpsRequest(options, (response) => {
        if ((response.statusCode ?? 0) >= 300) {
          const chunks: Buffer[] = [];
          response.on('error', (error) => finish(error));
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            let status: KubeStatus = {};
            try {
              status = JSON.parse(Buffer.concat(chunks).toString('utf8')) as KubeStatus;
            } catch {
              // keep the empty status
            }
            finish(toAppError(new KubeStatusError(response.statusCode ?? 0, status)));
          });
          return;
        }
        const lines = createInterface({ input: response });
        // readline re-emits the stream's errors (an abort included): without a listener they crash.
        lines.on('error', (error) => finish(error));
        lines.on('line', (line) => {
          if (line.trim() === '') return;
          try {
            onEvent(JSON.parse(line) as WatchEvent);
          } catch {
            // A torn line at a closing stream: the next watch relists anyway.
          }
        });
        response.on('end', () => finish(null));
        response.on('error', (error) => finish(error));
      });
      req.on('error', (error) => finish(error));
      req.end();
      return {
        abort: () => {
          finished = true;
          req.destroy();
        },
      };
    },
  };
  return client;
}
