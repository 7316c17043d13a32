/**
 * A port on 127.0.0.1 whose TCP connections each travel through an SSH tunnel: a stream the lab
 * host opens to an address of its lab network (ssh2's forwardOut, a "direct-tcpip" channel of the
 * host's one shared SSH connection), as `ssh -L 127.0.0.1:<port>:<address>:<port> labhost` does.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { AppError } from '../../shared/errors';
import { LoopbackForwarder } from './loopback-forwarder';

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
export class TunnelForwarder extends LoopbackForwarder<{ socket: Socket; stream?: Duplex }> {
  private constructor(private readonly options: TunnelForwarderOptions) {
    super();
  }

  /** Opens the local port. ALREADY_EXISTS when the asked-for port is taken. */
  static async listen(options: TunnelForwarderOptions): Promise<TunnelForwarder> {
    const forwarder = new TunnelForwarder(options);
    await forwarder.listen(options.localPort);
    return forwarder;
  }

  protected release({ socket, stream }: { socket: Socket; stream?: Duplex }): void {
    socket.destroy();
    stream?.destroy();
  }

  protected connect(socket: Socket): void {
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
