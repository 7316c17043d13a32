/**
 * A port on 127.0.0.1 whose TCP connections each travel through an SSH tunnel: a stream the lab
 * host opens to an address of its lab network (ssh2's forwardOut, a "direct-tcpip" channel of the
 * host's one shared SSH connection), as `ssh -L 127.0.0.1:<port>:<address>:<port> labhost` does.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError } from '../../shared/errors';
import { listenOnLoopback } from './port-forward';

export interface TunnelForwarderOptions {
  /** Opens one stream from the lab host to the target. */
  open: () => Promise<Duplex>;
  /** 0 picks a free port. */
  localPort: number;
  /** A connection opened or closed. */
  onConnections: (count: number) => void;
  /** A connection could not be carried (the host dropped, nothing listens on the target). */
  onError: (error: AppError) => void;
}

/** Listens on 127.0.0.1 and tunnels; `close` ends the listener and every connection. */
export class TunnelForwarder {
  private readonly server: Server;
  private readonly connections = new Set<{ socket: Socket; stream?: Duplex }>();

  private constructor(private readonly options: TunnelForwarderOptions) {
    this.server = createServer((socket) => this.connect(socket));
  }

  /** Opens the local port. ALREADY_EXISTS when the asked-for port is taken. */
  static async listen(options: TunnelForwarderOptions): Promise<TunnelForwarder> {
    const forwarder = new TunnelForwarder(options);
    await listenOnLoopback(forwarder.server, options.localPort);
    return forwarder;
  }

  get localPort(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const { socket, stream } of this.connections) {
      socket.destroy();
      stream?.destroy();
    }
    this.connections.clear();
    await closed;
  }

  private connect(socket: Socket): void {
    const entry: { socket: Socket; stream?: Duplex } = { socket };
    this.connections.add(entry);
    this.options.onConnections(this.connections.size);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      this.connections.delete(entry);
      this.options.onConnections(this.connections.size);
      socket.destroy();
      entry.stream?.destroy();
    };
    socket.on('error', end);
    socket.on('close', end);
    socket.pause();
    this.options.open().then(
      (stream) => {
        if (ended) {
          stream.destroy();
          return;
        }
        entry.stream = stream;
        // pipe() pauses either side while the other has a backlog (flow control both ways).
        socket.pipe(stream).pipe(socket);
        stream.on('error', (error: Error) => {
          this.options.onError(AppError.from(error));
          end();
        });
        stream.on('close', end);
        socket.resume();
      },
      (error: unknown) => {
        this.options.onError(AppError.from(error));
        end();
      },
    );
  }
}
