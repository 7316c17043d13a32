import type { Event } from '../event';
import type { SerializedError } from '../errors';
import { domainNames } from './names';

/**
 * Node annotations that place a node on the physical layer of the map (lab host -> VM -> node).
 * Nestlab's lab drivers set them on the nodes they create; any other cluster can set them by hand
 * (`kubectl annotate node N nestlab.dev/host=lab-1 nestlab.dev/vm=lab-1-worker-1`). Nodes without
 * them are drawn without a physical layer.
 */
export const HOST_ANNOTATION = 'nestlab.dev/host';
export const VM_ANNOTATION = 'nestlab.dev/vm';

/** Every kind the map reads. Ingress and the Gateway API kinds are read only where the server offers them. */
export const topologyKinds = [
  'Node',
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'Service',
  'EndpointSlice',
  'Ingress',
  'Gateway',
  'HTTPRoute',
] as const;
export type TopologyKind = (typeof topologyKinds)[number];

/** The controller that owns an object (metadata.ownerReferences with controller: true). */
export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
}

/** A condition as the details panel shows it. */
export interface ConditionSummary {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Fields every object of the compact model has. managedFields, specs and statuses are dropped. */
interface ObjectBase {
  uid: string;
  name: string;
  /** Absent for cluster-scoped kinds (Node). */
  namespace?: string;
  labels?: Record<string, string>;
  owner?: OwnerRef;
}

export interface NodeObject extends ObjectBase {
  kind: 'Node';
  role: 'control-plane' | 'worker';
  /** kubernetes.io/os label, falling back to nodeInfo.operatingSystem. */
  os: 'linux' | 'windows' | 'other';
  /** The Ready condition's status. */
  ready: 'True' | 'False' | 'Unknown';
  kubeletVersion?: string;
  osImage?: string;
  unschedulable?: boolean;
  /** From {@link HOST_ANNOTATION} / {@link VM_ANNOTATION}. */
  host?: string;
  vm?: string;
  conditions: ConditionSummary[];
}

export interface PodObject extends ObjectBase {
  kind: 'Pod';
  nodeName?: string;
  phase: string;
  /** The Ready condition is True. */
  ready: boolean;
  restarts: number;
  /** A waiting or terminated reason worth showing (CrashLoopBackOff, ImagePullBackOff...). */
  reason?: string;
  /** The pod is being deleted. */
  terminating?: boolean;
  conditions?: ConditionSummary[];
}

/** Deployment, ReplicaSet, StatefulSet, DaemonSet, Job: desired and ready counts. */
export interface WorkloadObject extends ObjectBase {
  kind: 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job';
  desired: number;
  ready: number;
}

export interface ServiceObject extends ObjectBase {
  kind: 'Service';
  type: string;
  clusterIP?: string;
  /** LoadBalancer ingress IPs or host names. */
  externalAddresses?: string[];
  ports: string[];
}

export interface EndpointSliceObject extends ObjectBase {
  kind: 'EndpointSlice';
  /** kubernetes.io/service-name label. */
  service?: string;
  /** Pods behind the slice (targetRef uids) and how many of its endpoints are ready. */
  podUids: string[];
  readyCount: number;
  endpointCount: number;
}

export interface IngressObject extends ObjectBase {
  kind: 'Ingress';
  hosts: string[];
  /** Backend Service names, in this namespace. */
  services: string[];
}

export interface GatewayObject extends ObjectBase {
  kind: 'Gateway';
  gatewayClass?: string;
}

export interface HttpRouteObject extends ObjectBase {
  kind: 'HTTPRoute';
  /** Gateways the route attaches to, as namespace/name. */
  gateways: string[];
  /** Backend Services, as namespace/name. */
  services: string[];
}

/** One object of the compact model: only what the map and its details panel use. */
export type TopologyObject =
  NodeObject | PodObject | WorkloadObject | ServiceObject | EndpointSliceObject | IngressObject | GatewayObject | HttpRouteObject;

/** How the watch of one kind stands. */
export interface KindWatchStatus {
  kind: TopologyKind;
  /** group/version read, e.g. discovery.k8s.io/v1beta1. */
  apiVersion: string;
  state: 'listing' | 'watching' | 'retrying' | 'forbidden';
  /** Why the last attempt failed, while retrying. */
  error?: SerializedError;
  /** When the next attempt starts, while retrying (ISO time). */
  retryAt?: string;
  /** While listing, once a page has come: the objects read so far (a large cluster's pods take tens of seconds). */
  listed?: number;
}

/** How the watch of a context stands. `ready` once every offered kind has been listed once. */
export interface TopologyStatus {
  context: string;
  state: 'starting' | 'ready' | 'degraded' | 'stopped';
  kinds: KindWatchStatus[];
  /**
   * What stops the whole context: discovery failed (API server down at start), or the API server
   * refused the context's credentials (also after reading them again). Retried with backoff.
   */
  error?: SerializedError;
}

/**
 * A batch of changes to one context's model. `revision` counts batches per context from 1; a
 * client that sees a gap (or a revision at or below its snapshot's) resynchronises from a snapshot.
 */
export interface TopologyDelta {
  context: string;
  revision: number;
  upserts: TopologyObject[];
  /** uids of deleted objects. */
  deletes: string[];
}

/** One page of a snapshot. Pages of one snapshot share `snapshotId` and `revision`. */
export interface TopologySnapshotPage {
  context: string;
  snapshotId: string;
  /** Deltas with a higher revision apply on top of this snapshot. */
  revision: number;
  objects: TopologyObject[];
  /** Pass to the next `snapshot` call; absent on the last page. */
  nextCursor?: string;
  status: TopologyStatus;
}

/** An Event about an object, for the details panel. */
export interface TopologyEvent {
  type: string;
  reason: string;
  message: string;
  count: number;
  lastSeen?: string;
}

/** What the details panel asks events for. */
export interface TopologyObjectRef {
  kind: TopologyKind;
  name: string;
  namespace?: string;
}

/**
 * The live topology of a cluster. The main process lists each kind once and keeps it current
 * with watches (resume from resourceVersion, relist on 410 Gone, capped backoff on any other
 * error); clients take a paged snapshot and then apply broadcast deltas.
 */
export interface TopologyService {
  /** Starts watching a context (idempotent) and returns its status. NOT_FOUND for an unknown context. */
  watch(context: string): Promise<TopologyStatus>;
  /** Stops watching a context and forgets its model. */
  unwatch(context: string): Promise<void>;
  /**
   * A page of the context's model (start with no cursor). Waits for the first list of every
   * kind, up to a time limit. NOT_FOUND when the context is not watched or the cursor expired.
   */
  snapshot(context: string, cursor?: string): Promise<TopologySnapshotPage>;
  /** Contexts the topology can open (from the kubeconfig provider), for a picker. */
  contexts(): Promise<string[]>;
  /** Recent events about one object, newest first. */
  recentEvents(context: string, ref: TopologyObjectRef): Promise<TopologyEvent[]>;
  /** Changes, batched (about every 16 ms while the cluster changes). */
  onDidChange: Event<TopologyDelta>;
  /** Watch status changes (listing, retrying after an error, ready). */
  onDidChangeStatus: Event<TopologyStatus>;
}

export const topologyNames = domainNames<TopologyService>()({
  methods: ['watch', 'unwatch', 'snapshot', 'contexts', 'recentEvents'],
  events: ['onDidChange', 'onDidChangeStatus'],
});
