/**
 * A port on 127.0.0.1 that forwards each TCP connection to a pod's port through the API
 * server's portforward subresource, one WebSocket per connection (as client-node does), opened by
 * kube/channel-socket.ts like every other request (TLS, credentials, proxy-url; a refusal mapped
 * by kube-errors.ts). Channel protocol (v4.channel.k8s.io): channel 0 carries data both ways and
 * channel 1 the kubelet's error text; the first frame on each channel from the server is the port
 * number (2 bytes, little-endian), not data.
 */
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';
import { openChannelSocket, type ChannelSocketFactory } from '../kube/channel-socket';
import { LoopbackForwarder } from './loopback-forwarder';

const DATA = 0;
const ERROR = 1;
const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io'];
/** ws.readyState OPEN (the ws module is only a type import here). */
const OPEN = 1;

export type ForwardSocketFactory = ChannelSocketFactory;

export interface PortForwarderOptions {
  kubeconfig: KubeConfig;
  namespace: string;
  pod: string;
  podPort: number;
  /** 0 picks a free port. */
  localPort: number;
  /** A connection opened or closed. */
  onConnections: (count: number) => void;
  /** A connection failed (the pod went away, nothing listens on the port, the API server refused). */
  onError: (error: AppError) => void;
  socketFactory?: ForwardSocketFactory;
}

interface Connection {
  socket: Socket;
  /** Set once the WebSocket is open. */
  ws?: WebSocket;
}

/** Listens on 127.0.0.1 and forwards; `close` ends the listener and every connection. */
export class PortForwarder extends LoopbackForwarder<Connection> {
  private constructor(private readonly options: PortForwarderOptions) {
    super();
  }

  /** Opens the local port. ALREADY_EXISTS when the asked-for port is taken. */
  static async listen(options: PortForwarderOptions): Promise<PortForwarder> {
    const forwarder = new PortForwarder(options);
    await forwarder.listen(options.localPort);
    return forwarder;
  }

  protected release({ socket, ws }: Connection): void {
    socket.destroy();
    ws?.terminate();
  }

  protected connect(socket: Socket): void {
    const { kubeconfig, namespace, pod, podPort } = this.options;
    const where = `${namespace}/${pod}:${podPort}`;
    socket.pause();
    const entry: Connection = { socket };
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
      if (entry.ws?.readyState === OPEN) entry.ws.close();
    };
    socket.on('end', end);
    socket.on('error', end);
    socket.on('close', end);
    const onMessage = (data: Buffer, _isBinary: boolean, ws: WebSocket) => {
      if (data.length === 0) return;
      const channel = data[0]!;
      let payload = data.subarray(1);
      if (channel !== DATA && channel !== ERROR) return;
      if (portPrefixPending[channel]) {
        portPrefixPending[channel] = false;
        payload = payload.subarray(2);
      }
      if (payload.length === 0) return;
      if (channel === ERROR) {
        errorText += payload.toString('utf8');
      } else if (!socket.write(payload)) {
        ws.pause();
        socket.once('drain', () => ws.resume());
      }
    };
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/portforward?ports=${podPort}`;
    openChannelSocket(kubeconfig, path, {
      protocols: PORT_FORWARD_PROTOCOLS,
      onMessage,
      ...(this.options.socketFactory ? { factory: this.options.socketFactory } : {}),
    }).then(
      (ws) => {
        entry.ws = ws;
        if (ended) {
          ws.terminate();
          return;
        }
        ws.on('error', (error) => {
          this.options.onError(new AppError('UNREACHABLE', `Forwarding to ${where} failed: ${error.message}`));
          end();
        });
        ws.on('close', () => {
          // The kubelet's own words (nothing listens on the port, the pod is gone): no code says more.
          if (errorText.trim()) this.options.onError(new AppError('UNREACHABLE', `Forwarding to ${where} failed: ${errorText.trim()}`));
          end();
        });
        socket.on('data', (chunk: Buffer) => {
          if (ws.readyState !== OPEN) return;
          ws.send(Buffer.concat([Buffer.from([DATA]), chunk]));
          // Flow control: stop reading the local socket while the WebSocket has a backlog.
          if (ws.bufferedAmount > 1024 * 1024) {
            socket.pause();
            const drain = setInterval(() => {
              if (ws.bufferedAmount < 256 * 1024 || ws.readyState !== OPEN) {
                clearInterval(drain);
                socket.resume();
              }
            }, 10);
          }
        });
        socket.resume();
      },
      (error: unknown) => {
        if (!ended) this.options.onError(forwardError(AppError.from(error), where));
        end();
      },
    );
  }
}

/** A refused or failed forward: the mapper's code, diagnosis and details, its message naming the target. */
function forwardError(error: AppError, where: string): AppError {
  return new AppError(error.code, `Forwarding to ${where}: ${error.message}`, error.details);
}
