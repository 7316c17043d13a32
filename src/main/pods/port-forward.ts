/**
 * A port on 127.0.0.1 that forwards each TCP connection to a pod's port through the API
 * server's portforward subresource, one WebSocket per connection (as client-node does).
 * Channel protocol (v4.channel.k8s.io): channel 0 carries data both ways and channel 1 the
 * kubelet's error text; the first frame on each channel from the server is the port number
 * (2 bytes, little-endian), not data.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';
import { LoopbackForwarder } from './loopback-forwarder';

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
export class PortForwarder extends LoopbackForwarder<{ socket: Socket; ws: WebSocket }> {
  private constructor(private readonly options: PortForwarderOptions) {
    super();
  }

  /** Opens the local port. ALREADY_EXISTS when the asked-for port is taken. */
  static async listen(options: PortForwarderOptions): Promise<PortForwarder> {
    const forwarder = new PortForwarder(options);
    await forwarder.listen(options.localPort);
    return forwarder;
  }

  protected release({ socket, ws }: { socket: Socket; ws: WebSocket }): void {
    socket.destroy();
    ws.terminate();
  }

  protected connect(socket: Socket): void {
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

function forwardError(statusCode: number, where: string, message: string): AppError {
  if (statusCode === 401) return new AppError('UNAUTHORIZED', `Forwarding to ${where} was refused: ${message}`);
  if (statusCode === 403) return new AppError('FORBIDDEN', `Forwarding to ${where} is not allowed: ${message}`);
  if (statusCode === 404) return new AppError('NOT_FOUND', `Forwarding to ${where}: ${message}`);
  return new AppError('UNREACHABLE', `Forwarding to ${where} failed: ${message}`);
}
