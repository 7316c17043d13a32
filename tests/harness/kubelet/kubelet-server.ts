import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { ChannelSocket, EXEC_PROTOCOLS } from './channel-socket.js';
import { sendText } from './container-logs.js';
import type { ContainerLogs } from './container-logs.js';
import { streamFlags } from './exec-sessions.js';
import type { ExecSessions } from './exec-sessions.js';
import type { ContainerRef, FindPod, KubeletNode, KubeletPod } from './kubelet-pods.js';
import type { PortForwarding } from './port-forwarding.js';
import { chooseProtocol, refuse } from './upgrade-responses.js';

/** What every simulated kubelet of one agent shares. */
export interface KubeletRuntime {
  findPod: FindPod;
  logs: ContainerLogs;
  sessions: ExecSessions;
  portForwarding: PortForwarding;
}

/** A listening simulated kubelet for one node. */
export interface KubeletServer {
  readonly port: number;
  close(): Promise<void>;
}

type Route =
  | { kind: 'containerLogs' | 'exec' | 'attach'; namespace: string; pod: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string };

/**
 * Starts the HTTPS server of one simulated kubelet on 127.0.0.1 (port 0 picks a free one). It
 * answers the paths kube-apiserver proxies to a kubelet: GET /containerLogs/{ns}/{pod}/{container},
 * WebSocket upgrades on /exec/{ns}/{pod}/{container} and /attach/... (channel protocols v5/v4),
 * and /portForward/{ns}/{pod} (WebSocket v4, or SPDY/3.1 as kubectl falls back to), plus /healthz.
 * Nothing checks the caller: kube-apiserver 1.20 sends no client certificate unless configured to.
 */
export async function startKubeletServer(
  node: KubeletNode,
  tls: { certPem: string; keyPem: string },
  runtime: KubeletRuntime,
  port = 0,
): Promise<KubeletServer> {
  const sockets = new Set<Duplex>();
  const webSockets = new WebSocketServer({ noServer: true, handleProtocols: (offered) => chooseProtocol(offered, EXEC_PROTOCOLS) });
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => handleRequest(node, runtime, req, res));
  server.on('connection', (socket: Duplex) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    handleUpgrade(node, runtime, webSockets, req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    close: async () => {
      for (const client of webSockets.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function handleRequest(node: KubeletNode, runtime: KubeletRuntime, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'https://kubelet');
  if (url.pathname === '/healthz') {
    sendText(res, 200, 'ok');
    return;
  }
  const route = parseRoute(url.pathname);
  if (route === undefined) {
    sendText(res, 404, '404 page not found\n');
    return;
  }
  if (route.kind !== 'containerLogs') {
    // kubelet's words for a plain request where a stream upgrade is required.
    sendText(res, 400, 'Upgrade request required');
    return;
  }
  if (req.method !== 'GET') {
    sendText(res, 405, `${req.method ?? ''} not allowed`);
    return;
  }
  const found = lookUp(node, runtime, route, route.container);
  if (typeof found === 'string') {
    sendText(res, 404, found);
    return;
  }
  runtime.logs.serve(req, res, found.ref, url);
}

function handleUpgrade(
  node: KubeletNode,
  runtime: KubeletRuntime,
  webSockets: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const url = new URL(req.url ?? '/', 'https://kubelet');
  const route = parseRoute(url.pathname);
  if (route === undefined || route.kind === 'containerLogs') {
    refuse(socket, 404, '404 page not found\n');
    return;
  }
  // A real kubelet routes exec, attach and port-forward with go-restful, which refuses an upgrade
  // whose Accept its routes do not produce; kube-apiserver passes the client's Accept on. A real
  // 1.20 kubelet answered `Accept: application/json` so (found in a real guest); `*/*` or none passes.
  const accept = req.headers.accept;
  if (accept !== undefined && !accept.split(',').some((type) => type.split(';')[0]?.trim() === '*/*')) {
    refuse(socket, 406, '406: Not Acceptable');
    return;
  }
  const found = lookUp(node, runtime, route, route.kind === 'portForward' ? undefined : route.container);
  if (typeof found === 'string') {
    refuse(socket, 404, found);
    return;
  }
  if (route.kind === 'portForward') {
    runtime.portForwarding.upgrade(found.pod, node, req, socket, head, url);
    return;
  }
  const isWebSocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  if (!isWebSocket || chooseProtocol(new Set(offered), EXEC_PROTOCOLS) === false) {
    // Exec over SPDY is not simulated: every client Nestlab uses speaks WebSocket (kubectl >= 1.30, client-node).
    refuse(socket, 400, `unable to upgrade: this simulated kubelet speaks ${EXEC_PROTOCOLS.join(' and ')} over WebSocket only`);
    return;
  }
  webSockets.handleUpgrade(req, socket, head, (ws: WebSocket) => {
    const channels = new ChannelSocket(ws, ws.protocol);
    const ref = found.ref;
    if (route.kind === 'exec') {
      runtime.sessions.exec(channels, node, ref, url.searchParams.getAll('command'), streamFlags(url.searchParams));
    } else {
      runtime.sessions.attach(channels, node, ref, streamFlags(url.searchParams));
    }
  });
}

/** The pod (and container) on this node, or kubelet's 404 message. */
function lookUp(
  node: KubeletNode,
  runtime: KubeletRuntime,
  route: { namespace: string; pod: string },
  container: string | undefined,
): { pod: KubeletPod; ref: ContainerRef } | string {
  const pod = runtime.findPod(route.namespace, route.pod);
  if (pod === undefined || pod.nodeName !== node.name) return `pod "${route.pod}" does not exist`;
  if (container !== undefined && !pod.containers.some((c) => c.name === container)) {
    return `container "${container}" not found in pod "${route.pod}"`;
  }
  return { pod, ref: { namespace: route.namespace, pod: route.pod, container: container ?? '' } };
}

function parseRoute(pathname: string): Route | undefined {
  const parts = pathname.split('/').slice(1).map(decodeURIComponent);
  const [kind, namespace, pod, container] = parts;
  if (namespace === undefined || pod === undefined || namespace === '' || pod === '') return undefined;
  if (
    (kind === 'containerLogs' || kind === 'exec' || kind === 'attach') &&
    container !== undefined &&
    container !== '' &&
    parts.length === 4
  ) {
    return { kind, namespace, pod, container };
  }
  if (kind === 'portForward' && parts.length === 3) return { kind, namespace, pod };
  return undefined;
}
