import { isStatus } from './kube-rest.js';
import type { KubeRestClient } from './kube-rest.js';
import { KeyedWorkQueue } from './work-queue.js';

/** The fields of a Service the simulation reads. */
export interface SimulatedServiceView {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
  spec?: { type?: string };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } };
}

/**
 * RFC 5737 TEST-NET-1. Addresses from it are only ever written into Service status, never
 * contacted: tests may send traffic to loopback only.
 */
export const LOAD_BALANCER_PREFIX = '192.0.2.';

/**
 * The addresses a simulated load balancer may hand out, lowest first; `undefined` while no load
 * balancer implementation is installed (Services then stay pending, as on a real kubeadm cluster).
 */
export type LoadBalancerAddresses = () => readonly string[] | undefined;

/** A cloud provider's addresses: 192.0.2.10-254 (.1-.9 are left for whatever a test wants to pin). */
export const cloudProviderAddresses: LoadBalancerAddresses = () =>
  Array.from({ length: 245 }, (_, index) => `${LOAD_BALANCER_PREFIX}${index + 10}`);

/**
 * Plays the controller that gives Services of type LoadBalancer an ingress IP (a cloud provider's
 * by default; see simulated-metallb.ts for MetalLB's), taking the lowest free address of
 * `addresses`, and taking it back when a Service changes to another type.
 */
export class LoadBalancerSimulation {
  private readonly services = new Map<string, SimulatedServiceView>();
  /** service uid -> ingress IP */
  private readonly assigned = new Map<string, string>();
  private readonly queue: KeyedWorkQueue;
  private stopped = false;

  constructor(
    private readonly rest: KubeRestClient,
    private readonly onError: (error: unknown) => void,
    private readonly addresses: LoadBalancerAddresses = cloudProviderAddresses,
  ) {
    this.queue = new KeyedWorkQueue(
      4,
      (key) => this.sync(key),
      (key, error) => {
        this.onError(error);
        if (!this.stopped) setTimeout(() => this.queue.add(key), 1_000).unref();
      },
    );
  }

  onList(items: SimulatedServiceView[]): void {
    this.services.clear();
    this.assigned.clear();
    for (const service of items) this.remember(service);
    for (const key of this.services.keys()) this.queue.add(key);
  }

  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', service: SimulatedServiceView): void {
    const key = serviceKey(service);
    if (key === undefined) return;
    if (type === 'DELETED') {
      this.services.delete(key);
      const uid = service.metadata?.uid;
      if (uid !== undefined) this.assigned.delete(uid);
      return;
    }
    this.remember(service);
    this.queue.add(key);
  }

  /** Looks at every Service again (the address source changed, e.g. a MetalLB pool was applied). */
  resync(): void {
    for (const key of this.services.keys()) this.queue.add(key);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    this.stopped = true;
    this.queue.stop();
  }

  private remember(service: SimulatedServiceView): void {
    const key = serviceKey(service);
    const uid = service.metadata?.uid;
    if (key === undefined || uid === undefined) return;
    this.services.set(key, service);
    const ip = this.ourIngressIp(service);
    if (ip !== undefined) this.assigned.set(uid, ip);
  }

  /** The Service's ingress IP when it is one of ours. */
  private ourIngressIp(service: SimulatedServiceView): string | undefined {
    const candidates = new Set([...(this.addresses() ?? []), ...this.assigned.values()]);
    return service.status?.loadBalancer?.ingress?.find((i) => i.ip !== undefined && candidates.has(i.ip))?.ip;
  }

  private async sync(key: string): Promise<void> {
    const service = this.services.get(key);
    const uid = service?.metadata?.uid;
    if (service === undefined || uid === undefined || this.stopped) return;
    const isLoadBalancer = service.spec?.type === 'LoadBalancer';
    const hasIngress = (service.status?.loadBalancer?.ingress?.length ?? 0) > 0;
    let ingress: Array<{ ip: string }>;
    if (isLoadBalancer && !hasIngress) {
      const ip = this.allocate(uid);
      // No implementation installed yet, or every address taken: the Service stays pending.
      if (ip === undefined) return;
      ingress = [{ ip }];
    } else if (!isLoadBalancer && this.ourIngressIp(service) !== undefined) {
      this.assigned.delete(uid);
      ingress = [];
    } else {
      return;
    }
    try {
      await this.rest.patch(
        `/api/v1/namespaces/${service.metadata?.namespace ?? 'default'}/services/${service.metadata?.name ?? ''}/status`,
        // In a merge patch `null` removes the field; an empty object would change nothing.
        { status: { loadBalancer: { ingress: ingress.length > 0 ? ingress : null } } },
        'merge',
      );
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
    }
  }

  private allocate(uid: string): string | undefined {
    const existing = this.assigned.get(uid);
    if (existing !== undefined) return existing;
    const used = new Set(this.assigned.values());
    const ip = this.addresses()?.find((candidate) => !used.has(candidate));
    if (ip !== undefined) this.assigned.set(uid, ip);
    return ip;
  }
}

function serviceKey(service: SimulatedServiceView): string | undefined {
  const { namespace, name } = service.metadata ?? {};
  return namespace !== undefined && name !== undefined ? `${namespace}/${name}` : undefined;
}
