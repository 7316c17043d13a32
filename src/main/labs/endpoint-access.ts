/**
 * How this computer reaches each lab's API server, as its kubeconfig names it: the lab host's
 * port when it answers from here, else an SSH tunnel via the lab host (api-tunnels.ts). The
 * choice is kept in the lab's record (`endpointAccess`), and a saved tunnel is opened again at
 * start on the port the kubeconfig names.
 */
import { AppError } from '../../shared/errors';
import { LabApiTunnels, probeTls, type HostStreams } from './api-tunnels';
import type { EndpointRoute } from './cluster-steps';
import type { LabRecord } from './lab-store';
import type { StepContext } from './step-context';

export class LabEndpointAccess {
  /** SSH tunnels to the API endpoints of labs whose host port does not answer from here. */
  private readonly tunnels: LabApiTunnels;
  /** Why a lab's saved tunnel does not serve now (its port taken after a restart). */
  private readonly problems = new Map<string, string>();
  private disposed = false;

  constructor(streams: HostStreams) {
    this.tunnels = new LabApiTunnels(streams);
  }

  /** Why the lab's saved tunnel does not serve now, if it does not. */
  problem(name: string): string | undefined {
    return this.problems.get(name);
  }

  /**
   * A lab saved with an SSH tunnel to its API endpoint gets it again, on the port its kubeconfig
   * names (nothing connects to the host until something uses it).
   */
  async restore(record: LabRecord): Promise<void> {
    const access = record.endpointAccess;
    if (access?.mode !== 'tunnel') return;
    const { apiEndpoint, hostId, name } = record.plan;
    try {
      await this.tunnels.serve(name, { hostId, address: apiEndpoint.address, port: apiEndpoint.port }, access.localPort, true);
      this.problems.delete(name);
      if (this.disposed) await this.tunnels.close(name);
    } catch (error) {
      this.problems.set(
        name,
        `The SSH tunnel to the API server could not listen on 127.0.0.1:${access.localPort}: ${AppError.from(error).message} Free that port, or resume the lab's last operation to choose another.`,
      );
    }
  }

  /**
   * The server the lab's kubeconfig names: the lab host's port when it answers a TLS handshake
   * from here, else an SSH tunnel via the lab host to the endpoint in the lab network, on 127.0.0.1
   * (the host's port number when free here), checked against the endpoint name. The choice is
   * written to `record.endpointAccess`.
   */
  async route(record: LabRecord, ctx: StepContext, server: { host: string; port: number }, ca: string): Promise<EndpointRoute> {
    const { apiEndpoint, hostId, name } = record.plan;
    const reason = await probeTls(server.host, server.port, ca);
    if (reason === undefined) {
      await this.tunnels.close(name);
      this.problems.delete(name);
      record.endpointAccess = { mode: 'direct', server: `https://${server.host}:${server.port}` };
      return server;
    }
    const why = `port ${server.port} of ${server.host} did not answer from this computer (${reason})`;
    ctx.log(`The API endpoint goes through an SSH tunnel via the lab host: ${why}.`);
    const saved = record.endpointAccess?.mode === 'tunnel' ? record.endpointAccess.localPort : server.port;
    const localPort = await this.tunnels.serve(name, { hostId, address: apiEndpoint.address, port: apiEndpoint.port }, saved, false);
    this.problems.delete(name);
    record.endpointAccess = {
      mode: 'tunnel',
      server: `https://127.0.0.1:${localPort}`,
      localPort,
      tlsServerName: apiEndpoint.host,
      target: `${apiEndpoint.address}:${apiEndpoint.port}`,
      reason: why,
    };
    return { host: '127.0.0.1', port: localPort, tlsServerName: apiEndpoint.host };
  }

  /** A deleted lab's tunnel closed and its problem forgotten. */
  async forget(name: string): Promise<void> {
    await this.tunnels.close(name);
    this.problems.delete(name);
  }

  dispose(): void {
    this.disposed = true;
    void this.tunnels.dispose();
  }
}
