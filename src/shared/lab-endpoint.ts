/**
 * How a lab's API endpoint is served, from its plan alone (the main process sets it up, the lab
 * details say it in words). Pure: no node, electron or DOM imports.
 */
import type { LabPlan } from './contract/labs';

/** The first port a lab host offers for a lab's API server (16443, 16444, ... one per lab). */
export const FIRST_HOST_PORT = 16443;

/** How the endpoint is reached, inside the lab network and from this computer. */
export interface EndpointService {
  /**
   * nestlab: the endpoint name resolves in the lab network (libvirt DNS and every VM's /etc/hosts)
   * to the endpoint address, which is the first control plane (1) or HAProxy on the lab host (3).
   * external: an address the user serves (a bridge network, existing machines, a VIP or load
   * balancer outside the lab network); Nestlab only puts it in the certificates.
   */
  kind: 'nestlab' | 'external';
  /** HAProxy on the lab host listens on the endpoint address (3 control planes) and/or the host port. */
  loadBalancer: boolean;
  /**
   * Nestlab's kubeconfig uses the lab host's address and this port: HAProxy forwards it to the
   * control planes on a Linux host, a NetNat static mapping to the control plane on a Hyper-V host.
   */
  hostPort?: number;
  /** A Hyper-V host maps the host port to the control plane with Add-NetNatStaticMapping (and a firewall rule for it). */
  portMapping: boolean;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function endpointService(plan: LabPlan): EndpointService {
  const { host, address } = plan.apiEndpoint;
  const nestlab =
    (plan.driver === 'libvirt' || plan.driver === 'hyperv') && plan.network.mode === 'nat' && (!IPV4.test(host) || host === address);
  if (!nestlab) return { kind: 'external', loadBalancer: false, portMapping: false };
  // HAProxy runs on Linux lab hosts only (plan validation refuses 3 control planes on Hyper-V).
  const { hostPort } = plan.apiEndpoint;
  return {
    kind: 'nestlab',
    loadBalancer: plan.driver === 'libvirt' && (plan.controlPlaneCount === 3 || hostPort !== undefined),
    portMapping: plan.driver === 'hyperv' && hostPort !== undefined,
    ...(hostPort === undefined ? {} : { hostPort }),
  };
}

/** The server URL of the kubeconfig Nestlab saves: the lab host's port where there is one, else the endpoint itself. */
export function kubeconfigServer(plan: LabPlan, hostAddress: string): { host: string; port: number } {
  const { hostPort } = endpointService(plan);
  return hostPort === undefined ? { host: plan.apiEndpoint.host, port: plan.apiEndpoint.port } : { host: hostAddress, port: hostPort };
}

/** Problems of the plan's endpoint that only its serving adds (the address itself is checked with the network). */
export function endpointProblems(plan: LabPlan): { field: string; message: string; fix: string }[] {
  const problems: { field: string; message: string; fix: string }[] = [];
  const service = endpointService(plan);
  if (service.kind !== 'nestlab') return problems;
  if (plan.driver === 'hyperv' && plan.controlPlaneCount === 3) {
    problems.push({
      field: 'controlPlaneCount',
      message:
        'Three control planes need a load balancer in front of them, and Nestlab runs one (HAProxy) only on Linux lab hosts: a Hyper-V internal switch with NetNat cannot spread one address over several VMs.',
      fix: 'Choose 1 control plane on this Windows host, or run the lab on a Linux (libvirt) host; or give the API endpoint the address of a load balancer you run yourself outside the lab network.',
    });
  }
  if (plan.controlPlaneCount === 1 && plan.apiEndpoint.port !== 6443) {
    problems.push({
      field: 'apiEndpoint.port',
      message: `With one control plane the endpoint is that machine itself, whose API server listens on 6443, not ${plan.apiEndpoint.port}.`,
      fix: 'Use port 6443, or 3 control planes (HAProxy on the host then listens on the port you choose).',
    });
  }
  const { hostPort } = plan.apiEndpoint;
  if (hostPort !== undefined && (!Number.isInteger(hostPort) || hostPort < 1024 || hostPort > 65535)) {
    problems.push({
      field: 'apiEndpoint.hostPort',
      message: `The host port ${hostPort} is not a port from 1024 to 65535.`,
      fix: `Leave it empty (Nestlab picks a free one from ${FIRST_HOST_PORT}) or choose a port from 1024 to 65535.`,
    });
  }
  return problems;
}

/** The lowest host port from {@link FIRST_HOST_PORT} that no other lab of the host uses. */
export function freeHostPort(taken: readonly number[]): number {
  let port = FIRST_HOST_PORT;
  while (taken.includes(port)) port += 1;
  return port;
}
