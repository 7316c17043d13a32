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
 * Plays a cloud provider's service controller: Services of type LoadBalancer get an ingress IP
 * from 192.0.2.0/24, and lose it when they change to another type.
 */
export class LoadBalancerSimulation {
  private readonly services = new Map<string, SimulatedServiceView>();
  /** service uid -> last octet */
  private readonly assigned = new Map<string, number>();
  private readonly queue: KeyedWorkQueue;
  private stopped = false;

  constructor(
    private readonly rest: KubeRestClient,
    private readonly onError: (error: unknown) => void,
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
    const ip = ourIngressIp(service);
    if (ip !== undefined) this.assigned.set(uid, Number(ip.slice(LOAD_BALANCER_PREFIX.length)));
  }

  private async sync(key: string): Promise<void> {
    const service = this.services.get(key);
    const uid = service?.metadata?.uid;
    if (service === undefined || uid === undefined || this.stopped) return;
    const isLoadBalancer = service.spec?.type === 'LoadBalancer';
    const hasIngress = (service.status?.loadBalancer?.ingress?.length ?? 0) > 0;
    let ingress: Array<{ ip: string }>;
    if (isLoadBalancer && !hasIngress) {
      ingress = [{ ip: `${LOAD_BALANCER_PREFIX}${this.allocate(uid)}` }];
    } else if (!isLoadBalancer && ourIngressIp(service) !== undefined) {
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

  private allocate(uid: string): number {
    const existing = this.assigned.get(uid);
    if (existing !== undefined) return existing;
    const used = new Set(this.assigned.values());
    let octet = 10; // leave .1-.9 for whatever a test wants to pin
    while (used.has(octet) && octet < 254) octet += 1;
    this.assigned.set(uid, octet);
    return octet;
  }
}

function ourIngressIp(service: SimulatedServiceView): string | undefined {
  return service.status?.loadBalancer?.ingress?.find((i) => i.ip?.startsWith(LOAD_BALANCER_PREFIX) === true)?.ip;
}

function serviceKey(service: SimulatedServiceView): string | undefined {
  const { namespace, name } = service.metadata ?? {};
  return namespace !== undefined && name !== undefined ? `${namespace}/${name}` : undefined;
}
