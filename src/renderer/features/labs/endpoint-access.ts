/**
 * What the lab details say about the API endpoint: how the lab's machines reach it, how this
 * computer reaches it, and what that means for the kubeconfig once it leaves Nestlab.
 */
import type { LabEndpointAccess, LabPlan } from '../../../shared/contract/labs';
import { endpointService, kubeconfigServer } from '../../../shared/lab-endpoint';

export interface EndpointAccess {
  /** The endpoint as the certificates and the cluster's own kubeconfigs name it. */
  endpoint: string;
  /** How the lab network reaches it. */
  inLab: string;
  /** The server of the kubeconfig saved in Clusters. */
  kubeconfigServer: string;
  /** How this computer reaches it, and what that means for the kubeconfig used outside Nestlab. */
  fromHere: string;
  /** Where the way in may be blocked: the fallback. */
  fallback?: string;
  /** Nestlab reaches it through an SSH tunnel: why, and what that means for the kubeconfig. */
  tunnel?: string;
  /** The tunnel does not serve now: why, and the fix. */
  tunnelProblem?: string;
}

/**
 * What the lab details say when the kubeconfig step found the host's port closed from here and
 * Nestlab serves the API through an SSH tunnel instead.
 */
export function tunnelAccess(
  plan: LabPlan,
  host: { name: string },
  reached: Extract<LabEndpointAccess, { mode: 'tunnel' }>,
): Pick<EndpointAccess, 'kubeconfigServer' | 'fromHere' | 'tunnel' | 'tunnelProblem'> {
  return {
    kubeconfigServer: reached.server,
    fromHere: `This computer reaches it through an SSH tunnel via ${host.name}: Nestlab listens on ${reached.server} and the host carries each connection to ${reached.target} in the lab network.`,
    tunnel: `Why the tunnel: ${reached.reason} (a firewall on ${host.name} or between may drop it). The kubeconfig in Clusters uses ${reached.server} with tls-server-name ${reached.tlsServerName}, so the certificate is still checked; it works only while Nestlab runs (kubectl in Nestlab's terminals too). Open port ${plan.apiEndpoint.hostPort ?? ''} on ${host.name} and resume the lab to use the host's port instead.`,
    ...(reached.problem === undefined ? {} : { tunnelProblem: reached.problem }),
  };
}

const url = (host: string, port: number) => `https://${host.includes(':') ? `[${host}]` : host}:${port}`;

export function endpointAccess(plan: LabPlan, host: { name: string; address?: string }, reached?: LabEndpointAccess): EndpointAccess {
  const served = servedAccess(plan, host);
  return reached?.mode === 'tunnel' ? { ...served, ...tunnelAccess(plan, host, reached) } : served;
}

function servedAccess(plan: LabPlan, host: { name: string; address?: string }): EndpointAccess {
  const { apiEndpoint } = plan;
  const endpoint = url(apiEndpoint.host, apiEndpoint.port);
  const service = endpointService(plan);
  const hostAddress = host.address ?? host.name;
  const server = kubeconfigServer(plan, hostAddress);
  const saved = url(server.host, server.port);
  if (service.kind === 'external') {
    return {
      endpoint,
      inLab: `${apiEndpoint.host} is served by you (a load balancer, VIP or DNS name of your own); Nestlab puts it in the API server's certificate.`,
      kubeconfigServer: saved,
      fromHere: `The kubeconfig in Clusters uses ${saved}. It works wherever that address reaches the API server, in Nestlab or not.`,
    };
  }
  const target =
    plan.controlPlaneCount === 1
      ? 'the first control plane itself'
      : `HAProxy on ${host.name}, in front of the ${plan.controlPlaneCount} control planes`;
  const naming = apiEndpoint.host === apiEndpoint.address ? '' : ` (libvirt's DNS and each VM's hosts file name ${apiEndpoint.host})`;
  const inLab = `In the lab network ${apiEndpoint.host} is ${apiEndpoint.address}${naming}: ${target}.`;
  if (service.hostPort !== undefined) {
    const forwarder = service.portMapping
      ? `a NetNat static mapping there (and a Windows Firewall rule) forwards port ${service.hostPort} to the control plane`
      : `HAProxy there forwards port ${service.hostPort} to the control planes`;
    return {
      endpoint,
      inLab,
      kubeconfigServer: saved,
      fromHere: `This computer reaches it through ${host.name}: ${forwarder}. The kubeconfig in Clusters uses ${saved}; exported, it works anywhere that reaches that address and port (the certificate names ${hostAddress}), not only in Nestlab.`,
      fallback: `Where a firewall blocks port ${service.hostPort}, open it on ${host.name}, or tunnel through SSH: ssh -L ${service.hostPort}:127.0.0.1:${service.hostPort} <user>@${hostAddress}, then use server https://127.0.0.1:${service.hostPort} with tls-server-name ${apiEndpoint.host} in the kubeconfig.`,
    };
  }
  return {
    endpoint,
    inLab,
    kubeconfigServer: saved,
    fromHere: `The kubeconfig in Clusters uses ${saved}, which resolves only in the lab network: it works on this computer (in Nestlab or not) only where ${apiEndpoint.host} resolves to ${apiEndpoint.address} (e.g. a hosts file line) and the lab network is routed through ${host.name}.`,
    fallback: `Otherwise tunnel through SSH: ssh -L 6443:${apiEndpoint.address}:6443 <user>@${hostAddress}, then use server https://127.0.0.1:6443 with tls-server-name ${apiEndpoint.host} in the kubeconfig.`,
  };
}
