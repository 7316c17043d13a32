/**
 * A streaming GET against the API server (a container's log), built from a client-node
 * KubeConfig like the topology's JSON requests. Plain HTTPS rather than client-node's Log
 * (node-fetch): owning the response lets flow control pause it, and tells a log that ended
 * from a connection the API server dropped (its restart) — `complete` on the response.
 */
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';
import { KubeHttpError, kubeGetOptions, readText, statusMessageIn } from '../topology/kube-api';

/** An open streaming response; `abort` destroys it (its events still fire: listen before calling). */
export interface OpenStream {
  response: IncomingMessage;
  abort(): void;
}

export type OpenKubeStream = (path: string) => Promise<OpenStream>;

/** Opens streams on the current context of `config`. A non-2xx answer rejects with the server's Status message. */
export function kubeStreamOpener(config: KubeConfig, connectTimeoutMs = 15_000): OpenKubeStream {
  const getOptions = kubeGetOptions(config);
  return async (path) => {
    // A stream owns its connection (never a pooled socket to a server that restarted): the agent
    // that applyToHTTPSOptions gives each request is a new one.
    const options = await getOptions(path, '*/*');
    return new Promise<OpenStream>((resolve, reject) => {
      const req = request(options, (response) => {
        req.setTimeout(0);
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          response.socket.setKeepAlive(true, 30_000);
          resolve({ response, abort: () => req.destroy() });
          return;
        }
        readText(response).then((text) => {
          const message = statusMessageIn(text) ?? (text.trim().slice(0, 500) || response.statusMessage || `HTTP ${status}`);
          reject(new KubeHttpError(status, message));
        }, reject);
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
