/**
 * The WebSockets of a pod's exec and port-forward through the API server (the channel.k8s.io
 * protocols: a byte before each frame names the stream; exec: 0 stdin, 1 stdout, 2 stderr, 3 the
 * exit Status, 4 resize, 255 "stream closed" in v5; port-forward: 0 data, 1 the kubelet's error
 * text). client-node's public Exec takes `channelSockets` as its WebSocket interface, so nothing
 * deep-imports the package's internals, and every socket is opened like every other request:
 * request-options.ts gives TLS, credentials and a proxy-url's tunnel agent, and a refused upgrade
 * is mapped by kube-errors.ts from the Status the server sent (403 with the RBAC message, 400 for
 * a container the pod does not have), not ws's "Unexpected server response".
 */
import type { IncomingMessage } from 'node:http';
import type { Exec, KubeConfig } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { diagnosis } from '../clusters/diagnosis';
import { KubeHttpError, parseStatus, toKubeError, type RequestLabel } from './kube-errors';
import { requestOptionsFor } from './request-options';

/** Newest first, as kubectl and client-node offer them. */
export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

const CLOSE_STREAM = 255;

/** Creates the WebSocket; tests wrap it to see the request. */
export type ChannelSocketFactory = (uri: string, protocols: string[], options: WebSocket.ClientOptions) => WebSocket;

/** What client-node's Exec asks of its WebSocket interface. */
export type ChannelSockets = NonNullable<ConstructorParameters<typeof Exec>[1]>;

function readText(response: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** A refused upgrade as the UI shows it. */
function refusal(statusCode: number, text: string, what: RequestLabel) {
  const status = parseStatus(text);
  // A Status the API server wrote itself for a 5xx on a proxied subresource means it could not
  // reach the node's kubelet; a kubelet's own refusal arrives as the kubelet's (plain) body.
  if (statusCode >= 500 && status.kind === 'Status') {
    return diagnosis(
      'UNREACHABLE',
      `The API server could not reach the kubelet of the pod's node (${status.message ?? `HTTP ${statusCode}`}).`,
      "Check that the pod's node is Ready and that the control plane can reach its kubelet (port 10250 by default).",
      { server: what.server, status: statusCode, reason: status.reason ?? '' },
    );
  }
  return toKubeError(new KubeHttpError(statusCode, status), what);
}

/** How a channel socket is opened: the subprotocols to offer and what receives each frame. */
export interface ChannelSocketOptions {
  /** Newest first; default: {@link CHANNEL_PROTOCOLS}. */
  protocols?: string[];
  /** Every frame, attached before the socket opens so none is missed (a server may send right after the upgrade). */
  onMessage?: (data: Buffer, isBinary: boolean, socket: WebSocket) => void;
  factory?: ChannelSocketFactory;
}

/**
 * Opens a channel.k8s.io WebSocket to `path` (exec, portforward) for the current context of
 * `config`, with the shared request options; resolves once open, rejects with the mapped refusal.
 */
export async function openChannelSocket(config: KubeConfig, path: string, options: ChannelSocketOptions = {}): Promise<WebSocket> {
  const builder = requestOptionsFor(config);
  const what: RequestLabel = { server: builder.server, method: 'GET', path: path.split('?')[0] ?? path };
  let request;
  try {
    // The kubelet's router refuses an upgrade that accepts only JSON (406 from a real 1.20 kubelet).
    request = await builder.build({ path, headers: { Accept: '*/*' } });
  } catch (error) {
    throw toKubeError(error, what);
  }
  const server = new URL(builder.server);
  const uri = `${server.protocol === 'http:' ? 'ws' : 'wss'}://${server.host}${request.path ?? path}`;
  const socketOptions: WebSocket.ClientOptions = {
    headers: request.headers as Record<string, string>,
    ...(typeof request.agent === 'object' ? { agent: request.agent } : {}),
    ...(request.ca ? { ca: request.ca } : {}),
    ...(request.cert ? { cert: request.cert } : {}),
    ...(request.key ? { key: request.key } : {}),
    ...(request.pfx ? { pfx: request.pfx } : {}),
    ...(request.passphrase ? { passphrase: request.passphrase } : {}),
    ...(request.servername ? { servername: request.servername } : {}),
    ...(request.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: request.rejectUnauthorized }),
  };
  const protocols = options.protocols ?? CHANNEL_PROTOCOLS;
  return new Promise<WebSocket>((resolve, reject) => {
    const socket = options.factory ? options.factory(uri, protocols, socketOptions) : new WebSocket(uri, protocols, socketOptions);
    let settled = false;
    socket.on('unexpected-response', (upgrade, response) => {
      void readText(response).then((text) => {
        settled = true;
        reject(refusal(response.statusCode ?? 0, text, what));
        upgrade.destroy();
      });
    });
    socket.on('open', () => {
      settled = true;
      resolve(socket);
    });
    // Stays attached: an error after the open is the caller's (its 'close' follows).
    socket.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(toKubeError(error, what));
    });
    const onMessage = options.onMessage;
    if (onMessage) {
      socket.on('message', (raw: WebSocket.RawData, isBinary) => {
        onMessage(Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw), isBinary, socket);
      });
    }
  });
}

/** The channel sockets of a pod exec for the current context of `config`, opened through the shared request options. */
export function channelSockets(config: KubeConfig, factory?: ChannelSocketFactory): ChannelSockets {
  return {
    connect(path, textHandler, binaryHandler) {
      return openChannelSocket(config, path, {
        ...(factory ? { factory } : {}),
        onMessage: (data, isBinary, socket) => {
          if (!isBinary) {
            if (textHandler && !textHandler(data.toString('utf8'))) socket.close();
            return;
          }
          const stream = data.readUInt8(0);
          // v5's "stream closed" needs no action here: the exit Status on stream 3 ends the session.
          if (stream === CLOSE_STREAM) return;
          if (binaryHandler && !binaryHandler(stream, data.subarray(1))) socket.close();
        },
      });
    },
  };
}
