/**
 * A streaming GET against the API server (a container's log), built from a client-node
 * KubeConfig like the topology's JSON requests. Plain HTTPS rather than client-node's Log
 * (node-fetch): owning the response lets flow control pause it, and tells a log that ended
 * from a connection the API server dropped (its restart) — `complete` on the response.
 */
import type { IncomingMessage } from 'node:http';
import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';
import { KubeHttpError } from '../topology/kube-api';

/** An open streaming response; `abort` destroys it (its events still fire: listen before calling). */
export interface OpenStream {
  response: IncomingMessage;
  abort(): void;
}

export type OpenKubeStream = (path: string) => Promise<OpenStream>;

/** Opens streams on the current context of `config`. A non-2xx answer rejects with the server's Status message. */
export function kubeStreamOpener(config: KubeConfig, connectTimeoutMs = 15_000): OpenKubeStream {
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new AppError('NOT_FOUND', 'The kubeconfig has no cluster for its current context.');
  const server = new URL(cluster.server);
  return async (path) => {
    const options: RequestOptions = {
      hostname: server.hostname.replace(/^\[|\]$/g, ''),
      port: Number(server.port || 443),
      path: `${server.pathname.replace(/\/$/, '')}${path}`,
      method: 'GET',
      headers: { Accept: '*/*' },
      // A stream owns its connection: never a pooled socket to a server that restarted.
      agent: false,
    };
    await config.applyToHTTPSOptions(options);
    return new Promise<OpenStream>((resolve, reject) => {
      const req = request(options, (response) => {
        req.setTimeout(0);
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          response.socket.setKeepAlive(true, 30_000);
          resolve({ response, abort: () => req.destroy() });
          return;
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let message = text.trim().slice(0, 500) || response.statusMessage || `HTTP ${status}`;
          try {
            const parsed = JSON.parse(text) as { message?: unknown };
            if (typeof parsed.message === 'string') message = parsed.message;
          } catch {
            // Not a Status object: keep the text.
          }
          reject(new KubeHttpError(status, message));
        });
      });
      req.setTimeout(connectTimeoutMs, () =>
        req.destroy(
          new AppError('TIMEOUT', `The API server did not answer GET ${path.split('?')[0]} within ${connectTimeoutMs / 1000} s.`),
        ),
      );
      req.on('error', reject);
      req.end();
    });
  };
}
