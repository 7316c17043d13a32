/**
 * An HTTPS front for a real API server on loopback, with a certificate of its own (signed by the
 * test CA, or expired): it forwards every request as it came (credentials included) and records
 * it, unless `answer` gives a status for it, which is how a test makes the API server refuse one
 * kind of request (403, 500) while everything else stays real.
 */
import { readFile } from 'node:fs/promises';
import { request as httpsRequest, createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signCertificate } from './certs.js';

export interface FrontRequest {
  method: string;
  /** Path with query, as sent. */
  url: string;
  /** Which TLS connection carried it: 1 for the front's first, 2 for the next... */
  connection: number;
}

export interface ApiFront {
  /** `https://127.0.0.1:<port>` */
  server: string;
  requests: FrontRequest[];
  /**
   * Decides per request: a status answers it here (with a Kubernetes Status body), a status with a
   * body answers with that JSON (a /version of another release); undefined forwards it.
   */
  answer: (request: FrontRequest) => number | { status: number; body: unknown } | undefined;
  /**
   * Decides per forwarded request: a promise holds it here until it settles (an API server slow to
   * answer one kind of request, e.g. the pod list of a large cluster); undefined forwards it at once.
   */
  hold: (request: FrontRequest) => Promise<void> | undefined;
  stop(): Promise<void>;
}

export interface ApiFrontOptions {
  /** The real API server, `https://127.0.0.1:<port>`. */
  upstream: string;
  /** The CA that signed the upstream's certificate (and signs the front's). */
  caCertPath: string;
  caKeyPath: string;
  /** Folder for the front's certificate. */
  dir: string;
  /** Validity of the front's certificate in days; negative gives an expired one. Default 30. */
  days?: number;
}

const REASONS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 500: 'InternalError' };

export async function startApiFront(options: ApiFrontOptions): Promise<ApiFront> {
  const { certPath, keyPath } = await signCertificate({
    dir: options.dir,
    name: `front-${Date.now()}`,
    caCertPath: options.caCertPath,
    caKeyPath: options.caKeyPath,
    commonName: 'api-front',
    sans: ['IP:127.0.0.1'],
    usage: 'serverAuth',
    days: options.days ?? 30,
  });
  const ca = await readFile(options.caCertPath, 'utf8');
  const upstream = new URL(options.upstream);
  const requests: FrontRequest[] = [];
  const open = new Set<IncomingMessage>();
  const connections = new WeakMap<object, number>();
  let connectionCount = 0;
  const front: ApiFront = {
    server: '',
    requests,
    answer: () => undefined,
    hold: () => undefined,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const response of open) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  /** Forwards a request to the real API server once `held` settles, as it came. */
  const forward = async (req: IncomingMessage, res: ServerResponse, held: Promise<void> | undefined): Promise<void> => {
    if (held !== undefined) await held;
    if (res.destroyed) return;
    const headers = { ...req.headers, host: upstream.host };
    const forwarded = httpsRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, ca, agent: false },
      (answer) => {
        open.add(answer);
        answer.on('close', () => open.delete(answer));
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        // At once, as the API server does: a watch sends no body until its first event.
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    res.on('close', () => forwarded.destroy());
    req.pipe(forwarded);
  };
  const server: Server = createServer({ cert: await readFile(certPath), key: await readFile(keyPath) }, (req, res) => {
    if (!connections.has(req.socket)) connections.set(req.socket, (connectionCount += 1));
    const seen: FrontRequest = { method: req.method ?? 'GET', url: req.url ?? '/', connection: connections.get(req.socket)! };
    requests.push(seen);
    const decided = front.answer(seen);
    if (typeof decided === 'object') {
      req.resume();
      res.writeHead(decided.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(decided.body));
      return;
    }
    const status = decided;
    if (status === 200) {
      // An empty answer, as a proxy that cuts a stream at once gives.
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end();
      return;
    }
    if (status !== undefined) {
      req.resume();
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message: `refused by the test front (${status})`,
          reason: REASONS[status] ?? 'Unknown',
          code: status,
        }),
      );
      return;
    }
    void forward(req, res, front.hold(seen));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front.server = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return front;
}
