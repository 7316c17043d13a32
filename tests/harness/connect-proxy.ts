/**
 * A real HTTP CONNECT proxy on loopback (what a kubeconfig's `proxy-url` names): it answers
 * CONNECT host:port with "200 Connection Established" and then copies bytes both ways, so TLS
 * runs end to end between the client and the API server. It records every CONNECT, and `route`
 * may send a requested address elsewhere (a server only the proxy can reach).
 */
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every CONNECT target (`host:port`) in the order asked. */
  connects: string[];
  /** Tunnels open now. */
  openTunnels(): number;
  stop(): Promise<void>;
}

export interface ConnectProxyOptions {
  /** Where a CONNECT target really goes; default: where it says. */
  route?: (host: string, port: number) => { host: string; port: number };
}

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const connects: string[] = [];
  const sockets = new Set<Duplex>();
  let open = 0;
  const server = createServer((_req, res) => {
    res.statusCode = 405;
    res.end('This proxy only tunnels (CONNECT).\n');
  });
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    const authority = req.url ?? '';
    connects.push(authority);
    const separator = authority.lastIndexOf(':');
    const asked = { host: authority.slice(0, separator).replace(/^\[|\]$/g, ''), port: Number(authority.slice(separator + 1)) };
    const target = options.route?.(asked.host, asked.port) ?? asked;
    const upstream: Socket = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    open += 1;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      open -= 1;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!client.destroyed && upstream.connecting) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      close();
    });
    client.on('error', close);
    upstream.on('close', close);
    client.on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    openTunnels: () => open,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
