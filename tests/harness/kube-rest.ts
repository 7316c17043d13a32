import { Agent, request } from 'node:https';
import type { ClusterAccess } from './kubeconfig.js';

/** Content types of the three PATCH flavours the API server accepts (besides apply). */
export const PATCH_TYPE = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
} as const;

/** A non-2xx answer from the API server; `reason` is the Status object's reason (e.g. NotFound). */
export class KubeApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(`${method} ${path}: ${status} ${reason ?? ''} ${message}`.trim());
    this.name = 'KubeApiError';
  }
}

/** Options of one request. */
export interface KubeRequestOptions {
  body?: unknown;
  /** Defaults to application/json. */
  contentType?: string;
}

/**
 * A minimal JSON-over-HTTPS client for the harness. The harness talks to the API server at
 * thousands of requests per benchmark (pod status patches, heartbeats); a keep-alive agent with
 * a bounded socket pool and no object (de)serialisation layer keeps that cheap and predictable.
 * Watches use @kubernetes/client-node's Watch instead (see resource-watch.ts).
 */
export class KubeRestClient {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(
    private readonly access: ClusterAccess,
    maxSockets = 32,
  ) {
    this.url = new URL(access.server);
    this.agent = new Agent({ keepAlive: true, maxSockets, ca: access.caCertPem });
  }

  /** Sends one request and parses the JSON answer. Throws {@link KubeApiError} on non-2xx. */
  async request<T>(method: string, path: string, options: KubeRequestOptions = {}): Promise<T> {
    const text = await this.requestText(method, path, options);
    return (text === '' ? {} : JSON.parse(text)) as T;
  }

  /** Like {@link request} but returns the body as text (for /readyz, /healthz, /version). */
  requestText(method: string, path: string, options: KubeRequestOptions = {}): Promise<string> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    return new Promise<string>((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          hostname: this.url.hostname,
          port: this.url.port,
          method,
          path,
          timeout: 30_000,
          headers: {
            authorization: `Bearer ${this.access.token}`,
            accept: 'application/json',
            ...(payload !== undefined
              ? { 'content-type': options.contentType ?? 'application/json', 'content-length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              resolve(text);
              return;
            }
            let reason: string | undefined;
            let message = text.slice(0, 500);
            try {
              const parsed = JSON.parse(text) as { reason?: string; message?: string };
              reason = parsed.reason;
              message = parsed.message ?? message;
            } catch {
              // Not a Status object (e.g. /readyz's plain-text report); keep the raw text.
            }
            reject(new KubeApiError(method, path, status, reason, message));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, { body });
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }

  patch<T>(path: string, body: unknown, type: keyof typeof PATCH_TYPE = 'strategic'): Promise<T> {
    return this.request<T>('PATCH', path, { body, contentType: PATCH_TYPE[type] });
  }

  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('DELETE', path, { body });
  }

  /** Whether the namespace's default service account has its token: until then the API server refuses pods there. */
  hasServiceAccountToken(namespace: string): Promise<boolean> {
    return this.get<{ secrets?: unknown[] }>(`/api/v1/namespaces/${namespace}/serviceaccounts/default`).then(
      (account) => (account.secrets?.length ?? 0) > 0,
      () => false,
    );
  }

  /** Closes idle keep-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }
}

/** True when `error` is a {@link KubeApiError} with the given HTTP status. */
export function isStatus(error: unknown, status: number): boolean {
  return error instanceof KubeApiError && error.status === status;
}
