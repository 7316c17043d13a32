import { fakeId, kubeTime } from './simulated-node-objects.js';
import type { SimulatedNodeOs } from './simulated-node-objects.js';
import { KubeApiError, isStatus } from './kube-rest.js';
import type { KubeRestClient } from './kube-rest.js';
import { KeyedWorkQueue } from './work-queue.js';

interface ContainerSpec {
  name: string;
  image?: string;
  /** Declared container ports; the simulated kubelet's port-forward serves these. */
  ports?: Array<{ containerPort?: number }>;
}

interface PodCondition {
  type: string;
  status: string;
}

/** The fields of a Pod the simulation reads (watch events are plain JSON). */
export interface SimulatedPodView {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { nodeName?: string; containers?: ContainerSpec[]; initContainers?: ContainerSpec[] };
  status?: {
    phase?: string;
    podIP?: string;
    startTime?: string;
    conditions?: PodCondition[];
    containerStatuses?: Array<{ ready?: boolean; state?: { waiting?: { reason?: string } } }>;
  };
}

/**
 * Annotation that makes the simulated kubelet run a pod's containers into a failure instead of
 * Running, as a real kubelet would with a crashing program or a missing image: `CrashLoopBackOff`
 * (phase Running, containers waiting after 7 restarts, not ready) or `ImagePullBackOff` (phase
 * Pending, the sandbox has its IP, containers waiting for an image that cannot be pulled).
 */
export const SIMULATED_FAILURE_ANNOTATION = 'nestlab.dev/simulated-failure';
export type SimulatedFailure = 'CrashLoopBackOff' | 'ImagePullBackOff';
const FAILURES: readonly string[] = ['CrashLoopBackOff', 'ImagePullBackOff'] satisfies SimulatedFailure[];

/** The failure a pod asks the simulation for, if any. */
export function simulatedFailureOf(pod: SimulatedPodView): SimulatedFailure | undefined {
  const value = pod.metadata?.annotations?.[SIMULATED_FAILURE_ANNOTATION];
  return value !== undefined && FAILURES.includes(value) ? (value as SimulatedFailure) : undefined;
}

/**
 * Only what the simulation and the simulated kubelets read of a pod: at 100,000 pods, keeping
 * whole watch objects (managedFields, full specs) would hold gigabytes in the test process.
 */
export function slimPod(pod: SimulatedPodView): SimulatedPodView {
  const { metadata = {}, spec = {}, status } = pod;
  const failure = simulatedFailureOf(pod);
  const slimContainer = ({ name, image, ports }: ContainerSpec): ContainerSpec => ({ name, image, ports });
  return {
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      uid: metadata.uid,
      resourceVersion: metadata.resourceVersion,
      deletionTimestamp: metadata.deletionTimestamp,
      labels: metadata.labels,
      ...(failure !== undefined ? { annotations: { [SIMULATED_FAILURE_ANNOTATION]: failure } } : {}),
    },
    spec: {
      nodeName: spec.nodeName,
      containers: spec.containers?.map(slimContainer),
      ...(spec.initContainers !== undefined ? { initContainers: spec.initContainers.map(slimContainer) } : {}),
    },
    ...(status !== undefined
      ? {
          status: {
            phase: status.phase,
            podIP: status.podIP,
            startTime: status.startTime,
            conditions: status.conditions?.map(({ type, status: value }) => ({ type, status: value })),
            containerStatuses: status.containerStatuses?.map(({ ready, state }) => ({
              ready,
              ...(state?.waiting !== undefined ? { state: { waiting: { reason: state.waiting.reason } } } : {}),
            })),
          },
        }
      : {}),
  };
}

/** What the pod simulation needs to know about one of its nodes. */
export interface PodHostNode {
  name: string;
  os: SimulatedNodeOs;
  /** Index used for the pod IP range 10.244.<index>.0/24. */
  index: number;
  failed: boolean;
}

const HOSTS_PER_BLOCK = 253; // .2 to .254; .1 is the (imaginary) bridge

/**
 * Plays the kubelet's part for pods bound to simulated nodes: marks them Running and Ready with an
 * IP from the node's range and container statuses, and completes graceful deletions. Pods on a
 * failed node are left alone, as they would be with a dead kubelet.
 */
export class PodSimulation {
  private readonly pods = new Map<string, SimulatedPodView>();
  /** node name -> pod uid -> host slot in the node's range */
  private readonly slots = new Map<string, Map<string, number>>();
  private readonly queue: KeyedWorkQueue;
  private stopped = false;

  constructor(
    private readonly rest: KubeRestClient,
    private readonly nodes: ReadonlyMap<string, PodHostNode>,
    concurrency: number,
    private readonly onError: (error: unknown) => void,
  ) {
    this.queue = new KeyedWorkQueue(
      concurrency,
      (key) => this.sync(key),
      (key, error) => {
        this.onError(error);
        // Typically the API server is restarting; try again shortly rather than dropping the pod.
        if (!this.stopped) setTimeout(() => this.queue.add(key), 1_000).unref();
      },
    );
  }

  /** Replaces the known pods with a fresh list (after a re-list). */
  onList(items: SimulatedPodView[]): void {
    const seen = new Set<string>();
    for (const pod of items) {
      const key = podKey(pod);
      if (key === undefined || !this.isOurs(pod)) continue;
      seen.add(key);
      this.pods.set(key, slimPod(pod));
      this.queue.add(key);
    }
    for (const [key, pod] of this.pods) {
      if (!seen.has(key)) this.forget(key, pod);
    }
  }

  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: SimulatedPodView): void {
    const key = podKey(pod);
    if (key === undefined) return;
    if (type === 'DELETED' || !this.isOurs(pod)) {
      const known = this.pods.get(key);
      if (known !== undefined) this.forget(key, known);
      return;
    }
    this.pods.set(key, slimPod(pod));
    this.queue.add(key);
  }

  /** Re-examines every pod of a node (after it recovered). */
  resyncNode(nodeName: string): void {
    for (const [key, pod] of this.pods) {
      if (pod.spec?.nodeName === nodeName) this.queue.add(key);
    }
  }

  /** The last seen state of a pod bound to one of our nodes (the simulated kubelets look pods up here). */
  find(namespace: string, name: string): SimulatedPodView | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  /** Resolves when no pod update is queued or in flight. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  stop(): void {
    this.stopped = true;
    this.queue.stop();
  }

  private isOurs(pod: SimulatedPodView): boolean {
    const nodeName = pod.spec?.nodeName;
    return nodeName !== undefined && this.nodes.has(nodeName);
  }

  private forget(key: string, pod: SimulatedPodView): void {
    this.pods.delete(key);
    const nodeName = pod.spec?.nodeName;
    const uid = pod.metadata?.uid;
    if (nodeName !== undefined && uid !== undefined) this.slots.get(nodeName)?.delete(uid);
  }

  private async sync(key: string): Promise<void> {
    const pod = this.pods.get(key);
    const node = pod?.spec?.nodeName !== undefined ? this.nodes.get(pod.spec.nodeName) : undefined;
    if (pod === undefined || node === undefined || node.failed || this.stopped) return;
    const { namespace, name, uid } = pod.metadata ?? {};
    if (namespace === undefined || name === undefined || uid === undefined) return;
    const path = `/api/v1/namespaces/${namespace}/pods/${name}`;
    if (pod.metadata?.deletionTimestamp !== undefined) {
      // A kubelet confirms a graceful deletion once containers stopped; ours stop instantly.
      try {
        await this.rest.delete(path, {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          gracePeriodSeconds: 0,
          preconditions: { uid },
        });
      } catch (error) {
        if (!isStatus(error, 404) && !isStatus(error, 409)) throw error;
      }
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    const failure = simulatedFailureOf(pod);
    if (failure !== undefined ? showsFailure(pod, failure) : isSimulatedRunning(pod)) return;
    const status = this.runningStatus(pod, node, uid);
    try {
      await this.rest.patch(`${path}/status`, { status: failure !== undefined ? failedStatus(status, failure) : status }, 'strategic');
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) throw error;
    }
  }

  private runningStatus(pod: SimulatedPodView, node: PodHostNode, uid: string): Record<string, unknown> {
    const now = kubeTime();
    const ip = this.podIp(node, uid, pod.status?.podIP);
    const runtime = node.os === 'windows' ? 'docker' : 'containerd';
    const imageId = (image: string): string =>
      `${runtime === 'docker' ? 'docker-pullable://' : ''}${image.split(':')[0] ?? image}@sha256:${fakeId(image, 64)}`;
    const base = (container: ContainerSpec): Record<string, unknown> => {
      const image = container.image ?? 'unknown';
      return {
        name: container.name,
        image,
        imageID: imageId(image),
        containerID: `${runtime}://${fakeId(`${uid}/${container.name}`, 64)}`,
        restartCount: 0,
        lastState: {},
      };
    };
    const condition = (type: string): Record<string, unknown> => ({
      type,
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: now,
    });
    return {
      phase: 'Running',
      hostIP: '127.0.0.1',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: pod.status?.startTime ?? now,
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(condition),
      containerStatuses: (pod.spec?.containers ?? []).map((container) => ({
        ...base(container),
        ready: true,
        started: true,
        state: { running: { startedAt: now } },
      })),
      ...(pod.spec?.initContainers !== undefined && pod.spec.initContainers.length > 0
        ? {
            initContainerStatuses: pod.spec.initContainers.map((container) => ({
              ...base(container),
              ready: true,
              state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
            })),
          }
        : {}),
    };
  }

  /** The pod's IP in its node's range; keeps an IP the pod already has (agent restarted). */
  private podIp(node: PodHostNode, uid: string, current: string | undefined): string {
    let nodeSlots = this.slots.get(node.name);
    if (nodeSlots === undefined) {
      nodeSlots = new Map();
      this.slots.set(node.name, nodeSlots);
    }
    let slot = nodeSlots.get(uid);
    if (slot === undefined && current !== undefined) {
      const parsed = slotOfIp(node.index, current);
      if (parsed !== undefined && ![...nodeSlots.values()].includes(parsed)) slot = parsed;
    }
    if (slot === undefined) {
      const used = new Set(nodeSlots.values());
      slot = 0;
      while (used.has(slot)) slot += 1;
    }
    nodeSlots.set(uid, slot);
    return ipOfSlot(node.index, slot);
  }
}

/**
 * The node's own range (podCidrFor: 10.<244 + index / 256>.<index % 256>.2-254), then for nodes
 * with more than 253 pods the same with 4 added to the second octet per 253 pods, clear of the
 * ranges of the other nodes (up to 1,024 nodes and 759 pods a node).
 */
function ipOfSlot(nodeIndex: number, slot: number): string {
  const block = Math.floor(slot / HOSTS_PER_BLOCK);
  return `10.${244 + Math.floor(nodeIndex / 256) + 4 * block}.${nodeIndex % 256}.${(slot % HOSTS_PER_BLOCK) + 2}`;
}

function slotOfIp(nodeIndex: number, ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts[0] !== 10 || parts[2] !== nodeIndex % 256) return undefined;
  const [, second = 0, , host = 0] = parts;
  const offset = second - 244 - Math.floor(nodeIndex / 256);
  if (offset < 0 || offset % 4 !== 0 || host < 2 || host > 254) return undefined;
  return (offset / 4) * HOSTS_PER_BLOCK + host - 2;
}

function podKey(pod: SimulatedPodView): string | undefined {
  const { namespace, name } = pod.metadata ?? {};
  return namespace !== undefined && name !== undefined ? `${namespace}/${name}` : undefined;
}

/** True when every container of the pod already waits with the failure's reason. */
function showsFailure(pod: SimulatedPodView, failure: SimulatedFailure): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  return (
    pod.status?.podIP !== undefined &&
    statuses.length === (pod.spec?.containers?.length ?? 0) &&
    statuses.every((status) => status.state?.waiting?.reason === failure)
  );
}

/** The Running status turned into what a kubelet reports for the failure. */
function failedStatus(running: Record<string, unknown>, failure: SimulatedFailure): Record<string, unknown> {
  const now = kubeTime();
  const crashing = failure === 'CrashLoopBackOff';
  const notReady = (type: string): Record<string, unknown> => ({
    type,
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: now,
    reason: 'ContainersNotReady',
  });
  const containers = running.containerStatuses as Array<Record<string, unknown>>;
  return {
    ...running,
    phase: crashing ? 'Running' : 'Pending',
    conditions: [
      { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now },
      notReady('Ready'),
      notReady('ContainersReady'),
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
    ],
    containerStatuses: containers.map((container) =>
      crashing
        ? {
            ...container,
            ready: false,
            started: false,
            restartCount: 7,
            lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: now, finishedAt: now } },
            state: { waiting: { reason: failure, message: `back-off 5m0s restarting failed container=${String(container.name)}` } },
          }
        : {
            // Nothing was pulled, so nothing ran: no container ID, no image ID.
            name: container.name,
            image: container.image,
            imageID: '',
            ready: false,
            started: false,
            restartCount: 0,
            lastState: {},
            state: { waiting: { reason: failure, message: `Back-off pulling image "${String(container.image)}"` } },
          },
    ),
  };
}

/** True when the pod already shows what the simulation would write (avoids patch loops). */
export function isSimulatedRunning(pod: SimulatedPodView): boolean {
  const status = pod.status;
  if (status?.phase !== 'Running' || status.podIP === undefined) return false;
  const isTrue = (type: string): boolean => status.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
  const containers = pod.spec?.containers?.length ?? 0;
  const statuses = status.containerStatuses ?? [];
  return isTrue('Ready') && isTrue('ContainersReady') && statuses.length === containers && statuses.every((s) => s.ready === true);
}
