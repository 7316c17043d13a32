/**
 * A port on 127.0.0.1 that forwards each TCP connection to a pod's port through the API
 * server's portforward subresource, one WebSocket per connection (as client-node does).
 * Channel protocol (v4.channel.k8s.io): channel 0 carries data both ways and channel 1 the
 * kubelet's error text; the first frame on each channel from the server is the port number
 * (2 bytes, little-endian), not data.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import WebSocket from 'ws';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';

/** Only loopback, ever: a forward must not open a pod to the network. */
export const FORWARD_ADDRESS = '127.0.0.1';

const DATA = 0;
const ERROR = 1;

export type ForwardSocketFactory = (uri: string, protocols: string[], options: WebSocket.ClientOptions) => WebSocket;

export interface PortForwarderOptions {
  kubeconfig: KubeConfig;
  namespace: string;
  pod: string;
  podPort: number;
  /** 0 picks a free port. */
  localPort: number;
  /** A connection opened or closed. */
  onConnections: (count: number) => void;
  /** A connection failed (the pod went away, nothing listens on the port). */
  onError: (error: AppError) => void;
  socketFactory?: ForwardSocketFactory;
}

/** Listens on 127.0.0.1 and forwards; `close` ends the listener and every connection. */
export class PortForwarder {
  private readonly server: Server;
  private readonly connections = new Set<{ socket: Socket; ws: WebSocket }>();

  private constructor(private readonly options: PortForwarderOptions) {
    this.server = createServer((socket) => this.connect(socket));
  }

  /** Opens the local port. ALREADY_EXISTS when the asked-for port is taken. */
  static async listen(options: PortForwarderOptions): Promise<PortForwarder> {
    const forwarder = new PortForwarder(options);
    await listenOnLoopback(forwarder.server, options.localPort);
    return forwarder;
  }

  get localPort(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const { socket, ws } of this.connections) {
      socket.destroy();
      ws.terminate();
    }
    this.connections.clear();
    await closed;
  }

  private connect(socket: Socket): void {
    const { kubeconfig, namespace, pod, podPort } = this.options;
    socket.pause();
    void (async () => {
      const cluster = kubeconfig.getCurrentCluster();
      if (!cluster) {
        socket.destroy();
        return;
      }
      const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${podPort}`;
      const uri = `${cluster.server.replace(/^http/, 'ws').replace(/\/$/, '')}${path}`;
      const wsOptions: WebSocket.ClientOptions = {};
      await kubeconfig.applyToHTTPSOptions(wsOptions);
      const protocols = ['v4.channel.k8s.io'];
      const ws = this.options.socketFactory
        ? this.options.socketFactory(uri, protocols, wsOptions)
        : new WebSocket(uri, protocols, wsOptions);
      const entry = { socket, ws };
      this.connections.add(entry);
      this.options.onConnections(this.connections.size);
      const portPrefixPending = [true, true];
      let errorText = '';
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        this.connections.delete(entry);
        this.options.onConnections(this.connections.size);
        socket.destroy();
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
      };
      ws.on('unexpected-response', (request, response) => {
        const body: Buffer[] = [];
        response.on('data', (chunk: Buffer) => body.push(chunk));
        response.on('end', () => {
          request.destroy();
          let message = Buffer.concat(body).toString('utf8').trim() || `HTTP ${response.statusCode}`;
          try {
            const status = JSON.parse(message) as { message?: unknown };
            if (typeof status.message === 'string') message = status.message;
          } catch {
            // Not JSON: keep the text.
          }
          this.options.onError(forwardError(response.statusCode ?? 0, `${namespace}/${pod}:${podPort}`, message));
          end();
        });
      });
      ws.on('error', (error) => {
        this.options.onError(new AppError('UNREACHABLE', `Forwarding to ${namespace}/${pod}:${podPort} failed: ${error.message}`));
        end();
      });
      ws.on('open', () => {
        socket.on('data', (chunk: Buffer) => {
          if (ws.readyState !== WebSocket.OPEN) return;
          ws.send(Buffer.concat([Buffer.from([DATA]), chunk]));
          // Flow control: stop reading the local socket while the WebSocket has a backlog.
          if (ws.bufferedAmount > 1024 * 1024) {
            socket.pause();
            const drain = setInterval(() => {
              if (ws.bufferedAmount < 256 * 1024 || ws.readyState !== WebSocket.OPEN) {
                clearInterval(drain);
                socket.resume();
              }
            }, 10);
          }
        });
        socket.resume();
      });
      ws.on('message', (data: Buffer) => {
        if (data.length === 0) return;
        const channel = data[0]!;
        let payload = data.subarray(1);
        if (channel === DATA || channel === ERROR) {
          if (portPrefixPending[channel]) {
            portPrefixPending[channel] = false;
            payload = payload.subarray(2);
          }
          if (payload.length === 0) return;
          if (channel === DATA) {
            if (!socket.write(payload)) {
              ws.pause();
              socket.once('drain', () => ws.resume());
            }
          } else errorText += payload.toString('utf8');
        }
      });
      ws.on('close', () => {
        if (errorText.trim()) {
          this.options.onError(new AppError('UNREACHABLE', `Forwarding to ${namespace}/${pod}:${podPort} failed: ${errorText.trim()}`));
        }
        end();
      });
      socket.on('end', end);
      socket.on('error', end);
      socket.on('close', end);
    })().catch((error: unknown) => {
      this.options.onError(AppError.from(error));
      socket.destroy();
    });
  }
}

/** Listens on 127.0.0.1:localPort (0: a free port). ALREADY_EXISTS when the port is taken, FORBIDDEN below 1024. */
export async function listenOnLoopback(server: Server, localPort: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new AppError(
            'ALREADY_EXISTS',
            `Port ${localPort} on ${FORWARD_ADDRESS} is in use; choose another or leave it empty for a free one.`,
            {
              localPort,
            },
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(new AppError('FORBIDDEN', `Port ${localPort} needs privileges; choose a port above 1023.`, { localPort }));
      } else reject(new AppError('INTERNAL', `Port ${localPort} could not be opened: ${error.message}`));
    });
    server.listen(localPort, FORWARD_ADDRESS, () => resolve());
  });
}

function forwardError(statusCode: number, where: string, message: string): AppError {
  if (statusCode === 401) return new AppError('UNAUTHORIZED', `Forwarding to ${where} was refused: ${message}`);
  if (statusCode === 403) return new AppError('FORBIDDEN', `Forwarding to ${where} is not allowed: ${message}`);
  if (statusCode === 404) return new AppError('NOT_FOUND', `Forwarding to ${where}: ${message}`);
  return new AppError('UNREACHABLE', `Forwarding to ${where} failed: ${message}`);
}
