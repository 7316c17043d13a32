/**
 * How this computer reaches a lab's API server when the lab host serves it on a port of its own
 * (HAProxy on a Linux host, a NetNat mapping on a Hyper-V host): that port if it answers a TLS
 * handshake, otherwise an SSH tunnel through the lab host. A firewall on the host or between often
 * drops such a port while SSH gets through; the tunnel then listens on 127.0.0.1 here and carries
 * each connection, as `ssh -L 127.0.0.1:<port>:<endpoint address>:<port> host` does, to the
 * endpoint inside the lab network. The kubeconfig names 127.0.0.1 with tls-server-name set to the
 * endpoint name (in the API server's certificate), so the certificate is still checked.
 */
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { AppError } from '../../shared/errors';
import { TunnelForwarder } from '../pods/tunnel-forward';

/** How long the host's port has to answer a TLS handshake before the tunnel is used. */
export const PROBE_TIMEOUT_MS = 5_000;

/** Node's codes for a server certificate that did not pass the check: the server answered. */
const CERTIFICATE_REFUSED = /CERT|SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY|ALTNAME/;

/**
 * Whether host:port answers a TLS handshake within `timeoutMs`: undefined when it does, else what
 * was seen instead. The lab's CA checks the answer; a certificate that fails the check still
 * counts as an answer (the API server is there, and the kubeconfig's verification says what is
 * wrong with it). A TCP connection alone proves little: a firewall or proxy in between may accept
 * it and never carry anything.
 */
export function probeTls(host: string, port: number, ca: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, ca, ...(isIP(host) === 0 ? { servername: host } : {}) });
    const finish = (outcome: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const within = timeoutMs >= 1000 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`;
    const timer = setTimeout(() => finish(`no TLS answer within ${within}`), timeoutMs);
    socket.once('secureConnect', () => finish(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== undefined && CERTIFICATE_REFUSED.test(error.code)) finish(undefined);
      else finish(error.code === undefined ? error.message : `${error.code}: ${error.message}`);
    });
    socket.once('close', () => finish('the connection was closed before the TLS handshake'));
  });
}

/** Opens a stream from a lab host to an address and port its lab network reaches (ssh2 forwardOut). */
export type HostStreams = (hostId: string, address: string, port: number) => Promise<Duplex>;

interface Tunnel {
  forwarder: TunnelForwarder;
  key: string;
}

/** The labs' SSH tunnels to their API endpoints, one per lab, on 127.0.0.1 only. */
export class LabApiTunnels {
  private readonly tunnels = new Map<string, Tunnel>();

  constructor(private readonly streams: HostStreams) {}

  /**
   * Serves the lab's tunnel from the lab host to address:port (or keeps the one that already
   * serves it) and answers its local port. `exact`: only `localPort` will do (a saved kubeconfig
   * names it); otherwise `localPort` when it is free here, else any free port.
   *
   * @throws AppError ALREADY_EXISTS when an exact port is taken by another program.
   */
  async serve(lab: string, target: { hostId: string; address: string; port: number }, localPort: number, exact: boolean): Promise<number> {
    const key = `${target.hostId}|${target.address}|${target.port}`;
    const current = this.tunnels.get(lab);
    if (current?.key === key && (!exact || current.forwarder.localPort === localPort)) return current.forwarder.localPort;
    await this.close(lab);
    const listen = (port: number) =>
      TunnelForwarder.listen({
        open: () => this.streams(target.hostId, target.address, target.port),
        localPort: port,
        onConnections: () => undefined,
        // A connection that could not be carried ends; the client sees it closed and the diagnosis names the server.
        onError: () => undefined,
      });
    let forwarder: TunnelForwarder;
    try {
      forwarder = await listen(localPort);
    } catch (error) {
      if (exact || AppError.from(error).code !== 'ALREADY_EXISTS') throw error;
      forwarder = await listen(0);
    }
    this.tunnels.set(lab, { forwarder, key });
    return forwarder.localPort;
  }

  async close(lab: string): Promise<void> {
    const tunnel = this.tunnels.get(lab);
    this.tunnels.delete(lab);
    await tunnel?.forwarder.close();
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.tunnels.keys()].map((lab) => this.close(lab)));
  }
}
