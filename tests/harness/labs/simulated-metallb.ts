/**
 * SIMULATION of MetalLB's address assignment in a lab: no MetalLB runs here, so this plays its
 * controller against the real API server. It hands out the addresses of the IPAddressPool(s) the
 * lab engine applied on the first control plane (the stand-in kubectl keeps what `kubectl apply -f -`
 * received under the VM's applied/ folder), lowest free address first, as MetalLB's allocator does;
 * before a pool is applied, LoadBalancer Services stay pending, as on a kubeadm cluster without
 * MetalLB.
 */
import { parseAllDocuments } from 'yaml';
import { KubeRestClient } from '../kube-rest.js';
import type { ClusterAccess } from '../kubeconfig.js';
import { kubeConfigFor, startResourceWatch } from '../resource-watch.js';
import { LoadBalancerSimulation } from '../simulated-load-balancers.js';
import type { SimulatedServiceView } from '../simulated-load-balancers.js';

const toNumber = (ip: string): number => ip.split('.').reduce((value, part) => value * 256 + Number(part), 0);
const toIp = (value: number): string => [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');

/** One entry of IPAddressPool.spec.addresses ("a.b.c.d-e.f.g.h" or a CIDR) as its addresses. */
function expand(entry: string): string[] {
  let first: number;
  let last: number;
  if (entry.includes('/')) {
    const [address = '', prefix = '32'] = entry.split('/');
    const size = 2 ** (32 - Number(prefix));
    first = toNumber(address) - (toNumber(address) % size);
    last = first + size - 1;
  } else {
    const [from = '', to = from] = entry.split('-');
    first = toNumber(from.trim());
    last = toNumber(to.trim());
  }
  return Array.from({ length: Math.max(0, Math.min(last - first + 1, 4096)) }, (_, index) => toIp(first + index));
}

/** The addresses of every IPAddressPool in the applied YAML documents; undefined when there is none. */
export function metalLbPoolAddresses(appliedYaml: readonly string[]): string[] | undefined {
  const pools = appliedYaml
    .flatMap((text) => parseAllDocuments(text).map((document) => document.toJS() as { kind?: string; spec?: { addresses?: string[] } }))
    .filter((resource) => resource.kind === 'IPAddressPool');
  if (pools.length === 0) return undefined;
  return pools.flatMap((pool) => (pool.spec?.addresses ?? []).flatMap(expand));
}

/** A running MetalLB assignment simulation. */
export interface SimulatedMetalLb {
  /** The applied YAML changed: the pools are read again and pending Services looked at. */
  update(appliedYaml: readonly string[]): void;
  idle(): Promise<void>;
  stop(): void;
}

export async function startSimulatedMetalLb(
  access: ClusterAccess,
  onError: (error: unknown) => void = () => undefined,
): Promise<SimulatedMetalLb> {
  const rest = new KubeRestClient(access, 4);
  let addresses: string[] | undefined;
  let seen = '';
  const simulation = new LoadBalancerSimulation(rest, onError, () => addresses);
  const watch = startResourceWatch<SimulatedServiceView>({
    rest,
    kubeConfig: kubeConfigFor(access),
    path: '/api/v1/services',
    handlers: { onList: (items) => simulation.onList(items), onEvent: (type, service) => simulation.onEvent(type, service), onError },
  });
  try {
    await watch.listed;
  } catch (error) {
    watch.stop();
    rest.close();
    throw error;
  }
  return {
    update: (appliedYaml) => {
      const key = appliedYaml.join('\n---\n');
      if (key === seen) return;
      seen = key;
      addresses = metalLbPoolAddresses(appliedYaml);
      simulation.resync();
    },
    idle: () => simulation.idle(),
    stop: () => {
      watch.stop();
      simulation.stop();
      rest.close();
    },
  };
}
