/**
 * Browser mode's transport: serves the built renderer and the services over a WebSocket on
 * 127.0.0.1 only. Every request passes the Host check; the WebSocket also needs the exact
 * Origin and the per-launch token. Refusals are immediate HTTP answers, never a hang.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { contentSecurityPolicy } from '../../shared/content-security-policy';
import { toBinaryFrame } from '../../shared/rpc/binary-frame';
import type { Dispatcher } from '../../shared/rpc/dispatcher';
import type { ServerMessage } from '../../shared/rpc/messages';
import { checkHost, checkOrigin, checkToken, rpcProtocol, tokenFromAuthorization, tokenFromProtocols, type Refusal } from './request-guard';
import { readStaticFile } from './static-files';

export interface WebServerOptions {
  dispatcher: Dispatcher;
  token: string;
  /** Folder of the built renderer (index.html and assets). */
  staticDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Largest RPC message accepted from a client, in bytes. */
  maxMessageBytes?: number;
}

export interface RunningWebServer {
  port: number;
  /** The URL to open, token in the fragment (fragments are never sent to servers or logged). */
  url: string;
  close(): Promise<void>;
}

const securityHeaders = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  // Nothing for the browser to grant: the page never asks, and a script injected into it cannot
  // either (the terminal's paste still asks for clipboard-read, which the browser puts to the user).
  'Permissions-Policy':
    'camera=(), microphone=(), geolocation=(), display-capture=(), usb=(), serial=(), hid=(), bluetooth=(), midi=(), payment=(), idle-detection=(), screen-wake-lock=()',
};

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  let port = options.port ?? 0;
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes ?? 4 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has(rpcProtocol) ? rpcProtocol : false),
  });

  const server = createServer((request, response) => {
    void handleHttp(request, response);
  });

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const hostRefusal = checkHost(request.headers.host, port);
    if (hostRefusal) return refuseHttp(response, hostRefusal);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...securityHeaders, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
      response.end('Method not allowed.\n');
      return;
    }
    const path = new URL(request.url ?? '/', 'http://placeholder').pathname;
    if (path === '/api/session') {
      // Lets the page tell "wrong token" apart from "server down" (a failed WebSocket says neither).
      // Same-origin GETs carry no Origin; a foreign page cannot read this answer anyway (no CORS).
      const origin = request.headers.origin;
      const refusal =
        (origin === undefined ? undefined : checkOrigin(origin, port)) ??
        checkToken(tokenFromAuthorization(request.headers.authorization), options.token);
      if (refusal) return refuseHttp(response, refusal);
      response.writeHead(204, securityHeaders);
      response.end();
      return;
    }
    const file =
      (await readStaticFile(options.staticDir, path)) ?? (path.includes('.') ? undefined : await readStaticFile(options.staticDir, '/'));
    if (!file) {
      response.writeHead(404, { ...securityHeaders, 'Content-Type': 'text/plain' });
      response.end('Not found.\n');
      return;
    }
    response.writeHead(200, { ...securityHeaders, 'Content-Type': file.contentType });
    response.end(request.method === 'HEAD' ? undefined : file.body);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal =
      checkHost(request.headers.host, port) ??
      checkOrigin(request.headers.origin, port) ??
      checkToken(tokenFromProtocols(request.headers['sec-websocket-protocol']), options.token);
    if (refusal) return refuseUpgrade(socket, refusal);
    if (new URL(request.url ?? '/', 'http://placeholder').pathname !== '/rpc') {
      return refuseUpgrade(socket, { status: 400, code: 'UNAUTHORIZED_CALLER', message: 'Unknown WebSocket endpoint.' });
    }
    wss.handleUpgrade(request, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket): void {
    sockets.add(ws);
    const send = (message: ServerMessage) => {
      if (ws.readyState !== ws.OPEN) return;
      // Terminal output goes as bytes (no JSON escaping); everything else as JSON text.
      const frame = toBinaryFrame(message);
      ws.send(frame ?? JSON.stringify(message), { binary: frame !== undefined });
    };
    const connection = options.dispatcher.connect(send);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'Text messages only.');
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawText(data));
      } catch {
        return ws.close(1007, 'Messages must be JSON.');
      }
      void connection.handle(parsed).then((reply) => {
        if (reply) send(reply);
      });
    });
    // Protocol errors (an oversized or malformed frame) close this socket; they must never
    // reach the process as an unhandled 'error' event, which would stop the server.
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      sockets.delete(ws);
      connection.close();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `http://127.0.0.1:${port}/#token=${options.token}`,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function refuseHttp(response: ServerResponse, refusal: Refusal): void {
  response.writeHead(refusal.status, { ...securityHeaders, 'Content-Type': 'application/json' });
  response.end(JSON.stringify({ code: refusal.code, message: refusal.message }));
}

function refuseUpgrade(socket: Duplex, refusal: Refusal): void {
  const body = JSON.stringify({ code: refusal.code, message: refusal.message });
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 421: 'Misdirected Request' }[refusal.status];
  socket.end(
    `HTTP/1.1 ${refusal.status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data))).toString('utf8');
}
