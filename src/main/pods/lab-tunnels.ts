/**
 * How a port-forward via 'lab-host' reaches a lab network: the context's lab (from the labs
 * list) names its inventory host, and that host's one shared SSH connection opens a TCP stream
 * to an address of the lab network. A LoadBalancer address on a host's private lab network is
 * reachable from the host, often not from the laptop that shows it.
 */
import type { Duplex } from 'node:stream';
import type { LabHostRef } from '../../shared/contract/pods';

export interface LabTunnels {
  /** The inventory host of the Nestlab lab whose saved context this is; undefined for any other context. */
  hostOf(context: string): Promise<LabHostRef | undefined>;
  /** A TCP stream from the host to address:port. Fails with the host's connection error, or UNREACHABLE for the target. */
  open(hostId: string, address: string, port: number): Promise<Duplex>;
}

/** What lab tunnels need from the labs service. */
export interface LabLister {
  list(): Promise<readonly { context?: string; hostId: string }[]>;
}

/** What lab tunnels need from the hosts service. */
export interface TunnelHosts {
  get(hostId: string): Promise<{ id: string; name: string }>;
  connection(hostId: string): Promise<{ forwardOut(host: string, port: number): Promise<Duplex> }>;
}

export function labTunnels(labs: LabLister, hosts: TunnelHosts): LabTunnels {
  return {
    hostOf: async (context) => {
      const lab = (await labs.list()).find((candidate) => candidate.context === context);
      if (lab === undefined) return undefined;
      const host = await hosts.get(lab.hostId).catch(() => undefined);
      return host === undefined ? undefined : { id: host.id, name: host.name };
    },
    open: async (hostId, address, port) => (await hosts.connection(hostId)).forwardOut(address, port),
  };
}
