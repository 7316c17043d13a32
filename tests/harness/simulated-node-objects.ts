import { createHash } from 'node:crypto';

/** Operating system of a simulated node. */
export type SimulatedNodeOs = 'linux' | 'windows';

/** One node for the simulation to register. */
export interface SimulatedNodeSpec {
  name: string;
  os: SimulatedNodeOs;
  /** `control-plane` nodes get the role labels and the NoSchedule taint. Default `worker`. */
  role?: 'control-plane' | 'worker';
  /** Default amd64. */
  arch?: 'amd64' | 'arm64';
  /** Default '4'. */
  cpu?: string;
  /** Default '16Gi' (Linux) / '8Gi' (Windows). */
  memory?: string;
  /** Pod capacity. Default 110, the kubelet default. */
  maxPods?: number;
  /** Extra labels. */
  labels?: Record<string, string>;
  /** Taints it registers with (a kubelet's --register-with-taints, which kubeadm sets from nodeRegistration.taints). */
  taints?: readonly SimulatedTaint[];
}

/** A Node taint. */
export interface SimulatedTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** A registered simulated node, as the agent reports it. */
export interface SimulatedNodeInfo {
  name: string;
  os: SimulatedNodeOs;
  role: 'control-plane' | 'worker';
  /** Its pods get IPs from this range, e.g. 10.244.2.0/24 (status strings only, never contacted). */
  podCidr: string;
  /** status.daemonEndpoints.kubeletEndpoint.Port: free loopback port reserved for a simulated kubelet endpoint. */
  kubeletPort: number;
  /** How often the node's machine booted again since it registered (its boot ID changes with each boot, as a kubelet reports /proc/sys/kernel/random/boot_id). */
  boots?: number;
}

/** Label every simulated node carries, so nobody mistakes one for a real kubelet. */
export const SIMULATED_LABEL = 'nestlab.dev/simulated';

export const KUBELET_VERSION = 'v1.20.2';
/** Windows Server 2019 (LTSC), the build AKS on Azure Stack HCI ran with Kubernetes 1.20. */
export const WINDOWS_BUILD = '10.0.17763';

/** Kubernetes Time: RFC 3339 in whole seconds. */
export function kubeTime(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Kubernetes MicroTime (Lease renewTime): RFC 3339 with microseconds. */
export function kubeMicroTime(date = new Date()): string {
  return date.toISOString().replace(/Z$/, '000Z');
}

/** Stable fake identifiers (machine ID, container IDs) derived from a name. */
export function fakeId(seed: string, length = 32): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/**
 * Pod CIDR of the node at `index`: 10.244.<index>.0/24 (flannel's default layout), then
 * 10.245.<index - 256>.0/24 and so on: past 256 nodes the ranges must not repeat, or pods of two
 * nodes get one IP and the EndpointSlice controller keeps only one of them (up to 1,024 nodes).
 */
export function podCidrFor(index: number): string {
  return `10.${244 + Math.floor(index / 256)}.${index % 256}.0/24`;
}

function labelsFor(spec: SimulatedNodeSpec): Record<string, string> {
  const arch = spec.arch ?? 'amd64';
  const labels: Record<string, string> = {
    'kubernetes.io/os': spec.os,
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': spec.name,
    // Deprecated beta labels that 1.20 kubelets still set and older manifests select on.
    'beta.kubernetes.io/os': spec.os,
    'beta.kubernetes.io/arch': arch,
    [SIMULATED_LABEL]: 'true',
  };
  if (spec.os === 'windows') labels['node.kubernetes.io/windows-build'] = WINDOWS_BUILD;
  if (spec.role === 'control-plane') {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node-role.kubernetes.io/master'] = '';
  }
  return { ...labels, ...spec.labels };
}

function taintsOf(spec: SimulatedNodeSpec): { taints?: SimulatedTaint[] } {
  const taints: SimulatedTaint[] = [
    ...(spec.role === 'control-plane' ? [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' as const }] : []),
    ...(spec.taints ?? []),
  ];
  return taints.length > 0 ? { taints } : {};
}

/** The Node object a kubelet would register. */
export function nodeObject(spec: SimulatedNodeSpec, info: SimulatedNodeInfo): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: labelsFor(spec),
      annotations: { 'nestlab.dev/simulation': 'Registered by the Nestlab test harness; no kubelet runs.' },
    },
    spec: {
      podCIDR: info.podCidr,
      podCIDRs: [info.podCidr],
      ...taintsOf(spec),
    },
    status: nodeStatus(spec, info, { transition: true }),
  };
}

/**
 * Node status as a kubelet posts it. `transition` also sets lastTransitionTime, which only
 * changes when a condition flips (registration, recovery); heartbeats leave it alone.
 */
export function nodeStatus(spec: SimulatedNodeSpec, info: SimulatedNodeInfo, options: { transition: boolean }): Record<string, unknown> {
  const now = kubeTime();
  const windows = spec.os === 'windows';
  const resources = {
    cpu: spec.cpu ?? '4',
    memory: spec.memory ?? (windows ? '8Gi' : '16Gi'),
    pods: String(spec.maxPods ?? 110),
    'ephemeral-storage': '100Gi',
  };
  const condition = (type: string, status: string, reason: string, message: string): Record<string, string> => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    ...(options.transition ? { lastTransitionTime: now } : {}),
  });
  return {
    capacity: resources,
    allocatable: resources,
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: spec.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: info.kubeletPort } },
    nodeInfo: {
      machineID: fakeId(`machine-${spec.name}`),
      systemUUID: fakeId(`uuid-${spec.name}`).toUpperCase(),
      bootID: fakeId(info.boots ? `boot-${spec.name}-${info.boots}` : `boot-${spec.name}`),
      kernelVersion: windows ? `${WINDOWS_BUILD}.1817` : '5.15.0-91-generic',
      osImage: windows ? 'Windows Server 2019 Datacenter' : 'Ubuntu 22.04 LTS',
      containerRuntimeVersion: windows ? 'docker://19.3.14' : 'containerd://1.4.3',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: spec.os,
      architecture: spec.arch ?? 'amd64',
    },
  };
}

/** The node's Lease in kube-node-lease, owned by the Node so it goes away with it. */
export function leaseObject(nodeName: string, nodeUid: string): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: 'kube-node-lease',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }],
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: kubeMicroTime() },
  };
}
