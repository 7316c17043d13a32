import { createServer } from 'node:net';

/** Ports the control plane itself uses on loopback (kubelet, scheduler, controller-manager). */
const RESERVED = { from: 10_250, to: 10_259 };

/**
 * Asks the kernel for a free TCP port on 127.0.0.1. The port is released before it is returned, so
 * another process could take it in between; the kernel hands out ephemeral ports in sequence, which
 * makes that rare, and callers retry their startup once when a bind fails.
 */
export async function getFreePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address !== null ? address.port : 0;
        server.close(() => resolve(chosen));
      });
    });
    if (port !== 0 && (port < RESERVED.from || port > RESERVED.to)) {
      return port;
    }
  }
}

/** Returns `count` distinct free ports on 127.0.0.1. */
export async function getFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    ports.add(await getFreePort());
  }
  return [...ports];
}
