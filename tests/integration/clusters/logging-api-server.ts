/**
 * An HTTPS server on loopback that answers like an API server's read-only endpoints (/version, an
 * empty node list, a SelfSubjectAccessReview that says no) and logs every request's Authorization
 * header, so a test can see which credentials reached which server.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoggedRequest {
  method: string;
  path: string;
  authorization: string;
}

export interface LoggingApiServer {
  server: string;
  caPem: string;
  requests: LoggedRequest[];
  /** Every Authorization header it was sent, joined, for `not.toContain(canary)`. */
  authorizations(): string;
  stop(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 in `dir`, then the server on a free port. */
export async function startLoggingApiServer(dir: string, name: string): Promise<LoggingApiServer> {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.crt`);
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  const caPem = await readFile(certPath, 'utf8');
  const requests: LoggedRequest[] = [];
  const server: Server = createServer({ key: await readFile(keyPath), cert: caPem }, (req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization ?? '' });
    req.resume();
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      const path = req.url ?? '';
      if (path === '/version') res.end(JSON.stringify({ gitVersion: 'v1.20.2', platform: 'linux/amd64' }));
      else if (path === '/api/v1/nodes') res.end(JSON.stringify({ kind: 'NodeList', items: [] }));
      else if (path.endsWith('/selfsubjectaccessreviews')) res.end(JSON.stringify({ status: { allowed: false } }));
      else {
        res.statusCode = 404;
        res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server: `https://127.0.0.1:${port}`,
    caPem,
    requests,
    authorizations: () => requests.map((request) => request.authorization).join('\n'),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
