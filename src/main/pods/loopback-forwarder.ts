/**
 * What every forward on this computer shares: a listener on 127.0.0.1 only (a forward must not
 * open a pod or a lab network to the network), the open connections, and a close that ends the
 * listener and every connection. Subclasses carry each accepted socket somewhere (port-forward.ts:
 * the API server's portforward subresource; tunnel-forward.ts: an SSH tunnel through the lab host).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { AppError } from '../../shared/errors';

/** Only loopback, ever: a forward must not open a pod to the network. */
export const FORWARD_ADDRESS = '127.0.0.1';

export abstract class LoopbackForwarder<Connection> {
  private readonly server: Server;
  protected readonly connections = new Set<Connection>();

  protected constructor() {
    this.server = createServer((socket) => this.connect(socket));
  }

  get localPort(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Ends the listener and every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) this.release(connection);
    this.connections.clear();
    await closed;
  }

  /** Opens 127.0.0.1:localPort (0: a free port). ALREADY_EXISTS when the port is taken, FORBIDDEN below 1024. */
  protected async listen(localPort: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) => {
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
      this.server.listen(localPort, FORWARD_ADDRESS, () => resolve());
    });
  }

  /** Carries one accepted connection. */
  protected abstract connect(socket: Socket): void;

  /** Ends one connection (at close). */
  protected abstract release(connection: Connection): void;
}
