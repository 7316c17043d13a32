import type { Event } from '../event';
import type { SerializedError } from '../errors';
import { domainNames } from './names';

/** Which pods a list asks for. */
export interface PodQuery {
  context: string;
  /** Absent: every namespace the credentials may list. */
  namespace?: string;
  /** Only the pods of this Deployment (its selector); needs `namespace`. */
  deployment?: string;
}

/** One row of the pods list: compact (no spec or status objects), since a list can hold 30,000. */
export interface PodSummary {
  name: string;
  namespace: string;
  /** Pending, Running, Succeeded, Failed, Unknown; "Terminating" while being deleted. */
  phase: string;
  /** Why it is not running, when a container or the scheduler says so (CrashLoopBackOff, ImagePullBackOff, Unschedulable...). */
  reason?: string;
  /** Running but its Ready condition is False (a container not ready, or its node NotReady). */
  notReady?: true;
  readyContainers: number;
  totalContainers: number;
  restarts: number;
  containers: string[];
  node?: string;
  podIP?: string;
  /** From the pod's nodeSelector kubernetes.io/os when it has one. */
  os?: 'linux' | 'windows';
  /** The Deployment behind its ReplicaSet (from the pod-template-hash), or the direct owner. */
  owner?: { kind: string; name: string };
  /** Container ports, for the port-forward picker. */
  ports: number[];
  created?: string;
  /** The pod's labels, for the list's label filter; absent when it has none. */
  labels?: Record<string, string>;
}

/** A pods list that follows the cluster: its rows now; {@link PodListChange} events keep them current. */
export interface PodListFollow {
  followId: string;
  pods: PodSummary[];
}

/**
 * Changes to a followed pods list, gathered for a moment (a few events a second at most, however
 * fast the pods change). Rows are named by `namespace/name`.
 */
export interface PodListChange {
  followId: string;
  /** The whole list again (after a relist, when the watch's version was compacted away): it replaces the rows. */
  pods?: PodSummary[];
  /** Rows added or changed. */
  upserted: PodSummary[];
  /** `namespace/name` of the pods deleted. */
  removed: string[];
  /** While the watch retries (the rows may be behind): why. Absent once it follows again. */
  error?: SerializedError;
}

/** Where logs come from: one pod, or every pod of a Deployment, merged. */
export interface LogSource {
  context: string;
  namespace: string;
  kind: 'pod' | 'deployment';
  name: string;
  /** Default: each pod's first container. */
  container?: string;
}

/**
 * How to read logs. Every line carries the kubelet's timestamp when it gave one (timestamps are
 * always asked for), so showing or hiding them is the view's choice and a retry can resume
 * after the last line.
 */
export interface LogOptions {
  /** Keep the stream open for new lines. */
  follow: boolean;
  /** Lines from the end to start with, per container; absent: all. */
  tailLines?: number;
  sinceSeconds?: number;
  /** The previous (terminated) instance of the container. */
  previous?: boolean;
}

/** One container a log stream reads, with its colour slot for merged views. */
export interface LogSourceInfo {
  pod: string;
  container: string;
  /** Stable per stream, in the order sources joined: the view maps it to a colour. */
  colour: number;
}

/** An open (or ended, until stopped) log stream. */
export interface LogStreamInfo {
  streamId: string;
  source: LogSource;
  options: LogOptions;
  sources: LogSourceInfo[];
  state: 'streaming' | 'ended';
  /** Why it ended, when it did not simply reach the end of the log. */
  error?: SerializedError;
}

/** One log line. `text` keeps its ANSI colour codes: the view parses them (never as HTML). */
export interface LogLine {
  pod: string;
  container: string;
  text: string;
  /** RFC 3339 with nanoseconds, from the kubelet. */
  timestamp?: string;
  /** A line from Nestlab about the stream (a container that could not be read), not from the container. */
  notice?: boolean;
}

/**
 * A batch of lines, in timestamp order across pods. `seq` counts batches per stream from 1, so
 * a client can drop duplicates; `sources` is present when pods joined the stream (a scale-up).
 */
export interface LogBatch {
  streamId: string;
  seq: number;
  lines: LogLine[];
  sources?: LogSourceInfo[];
}

/** The end of a log stream: the log was read to its end, it was stopped, or the connection failed. */
export interface LogStreamEnd {
  streamId: string;
  /** UNREACHABLE when the API server went away mid-stream: the message says so and that Retry reconnects. */
  error?: SerializedError;
}

/** The kinds the events panel and the describe panel know. */
export const describableKinds = ['Pod', 'Deployment', 'Service'] as const;
export type DescribableKind = (typeof describableKinds)[number];

/** An object that events or a description are asked for. */
export interface PodsObjectRef {
  context: string;
  kind: string;
  name: string;
  /** Absent for cluster-scoped objects (Node). */
  namespace?: string;
}

/** One Event about an object. */
export interface ObjectEvent {
  /** Normal or Warning. */
  type: string;
  reason: string;
  message: string;
  count: number;
  firstSeen?: string;
  lastSeen?: string;
  /** The component (and host) that reported it: kubelet, default-scheduler... */
  source?: string;
}

/** One condition of an object's status. */
export interface DescribedCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransition?: string;
}

/** One container of a pod (or a Deployment's pod template). */
export interface DescribedContainer {
  name: string;
  image: string;
  init: boolean;
  /** Running, Waiting, Terminated; "Template" for a Deployment's template. */
  state: string;
  reason?: string;
  ready?: boolean;
  restarts?: number;
  ports: string[];
}

/** One port of a Service or container, as text-ready parts. */
export interface DescribedPort {
  name?: string;
  port: number;
  protocol: string;
  targetPort?: string;
  nodePort?: number;
}

/** A describe-style summary of a Pod, Deployment or Service. */
export interface ObjectDescription {
  kind: DescribableKind;
  name: string;
  namespace: string;
  created?: string;
  /** One line: "Running", "3/3 ready, 3 updated", "ClusterIP 10.96.0.12". */
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Label-value facts: Node, Pod IPs, Host IP, QoS, Strategy, Selector, Type, Cluster IP, External IP... */
  fields: { label: string; value: string }[];
  conditions: DescribedCondition[];
  containers: DescribedContainer[];
  ports: DescribedPort[];
}

/** What to forward to: a pod's port, or a Service port (reaching one of its ready pods, as kubectl does). */
export interface ForwardRequest {
  context: string;
  namespace: string;
  kind: 'pod' | 'service';
  name: string;
  /** The pod's container port, or the Service's port. */
  remotePort: number;
  /** A port on 127.0.0.1; absent or 0 picks a free one. */
  localPort?: number;
  /**
   * How connections travel. 'api-server' (the default): the API server's portforward to a pod.
   * 'lab-host': an SSH tunnel through the host of the context's lab to the Service's external
   * (LoadBalancer) address and remotePort, for a lab network this computer cannot reach. Services only.
   */
  via?: ForwardRoute;
}

export type ForwardRoute = 'api-server' | 'lab-host';

/** The inventory host a lab runs on (an SSH tunnel through it reaches the lab network). */
export interface LabHostRef {
  id: string;
  name: string;
}

/** Where an 'api-server' forward goes: the pod it reaches and its port (a Service's targetPort resolved). */
export interface ApiServerForwardTarget {
  via: 'api-server';
  pod: string;
  podPort: number;
}

/** Where a 'lab-host' forward goes: from the lab host to the Service's external address. */
export interface LabHostForwardTarget {
  via: 'lab-host';
  host: LabHostRef;
  /** The Service's LoadBalancer address, as the lab host reaches it. */
  address: string;
  port: number;
}

/** A port-forward Nestlab holds open. */
export type ForwardInfo = ForwardInfoBase & (ApiServerForwardTarget | LabHostForwardTarget);

interface ForwardInfoBase {
  id: string;
  request: ForwardRequest;
  /** Always 127.0.0.1. */
  localAddress: string;
  localPort: number;
  /** http://127.0.0.1:<localPort>/ */
  url: string;
  /** TCP connections open through it now. */
  connections: number;
  /** The last connection that failed, and why (the pod went away, the port is closed). */
  lastError?: SerializedError;
}

/**
 * Pods: a list per context and namespace, logs of a pod or a whole Deployment (merged, live),
 * events and describe-style details of an object, and port-forwards on 127.0.0.1.
 */
export interface PodsService {
  /** Pods of a namespace (or all), newest first. */
  listPods(query: PodQuery): Promise<PodSummary[]>;
  /**
   * Lists the pods as listPods does, then follows them (a watch from the list's version) with
   * {@link PodListChange} events until unfollowPods. Nestlab follows a few lists at most: the
   * oldest stops when more are asked for (a window that went away without unfollowing).
   */
  followPods(query: PodQuery): Promise<PodListFollow>;
  /** Stops following a list. Harmless for one already stopped. */
  unfollowPods(followId: string): Promise<void>;
  /**
   * Starts reading logs. A Deployment is resolved through its selector to its pods; while
   * following, pods that join are added. Lines arrive as {@link LogBatch} events; the stream
   * ends with {@link LogStreamEnd}. NOT_FOUND for a pod or Deployment that does not exist.
   */
  startLogs(source: LogSource, options: LogOptions): Promise<LogStreamInfo>;
  /**
   * Reconnects an ended stream with the same options, continuing after the last line each
   * container gave (no line twice). Same stream id; batches go on counting.
   */
  retryLogs(streamId: string): Promise<LogStreamInfo>;
  /** Stops a stream and forgets it. Harmless for one already gone. */
  stopLogs(streamId: string): Promise<void>;
  /** The client has shown this many lines of the stream: the producer pauses far ahead of it. */
  acknowledgeLogs(streamId: string, lineCount: number): Promise<void>;
  /** Events about an object, newest first. */
  events(ref: PodsObjectRef): Promise<ObjectEvent[]>;
  /** A describe-style summary of a Pod, Deployment or Service. */
  describe(ref: PodsObjectRef): Promise<ObjectDescription>;
  /**
   * Opens a port on 127.0.0.1 (never another address) that forwards to the pod or Service, or
   * (via 'lab-host') through the lab host to the Service's external address. UNREACHABLE when
   * the lab host or the address cannot be reached, with what to check.
   */
  startForward(request: ForwardRequest): Promise<ForwardInfo>;
  listForwards(): Promise<ForwardInfo[]>;
  /** Closes the local port and every connection through it. */
  stopForward(forwardId: string): Promise<void>;
  onDidLogs: Event<LogBatch>;
  onDidEndLogs: Event<LogStreamEnd>;
  /** Every forward, after any start, stop, connection or failure. */
  onDidChangeForwards: Event<ForwardInfo[]>;
  /** Changes to the lists followed with followPods, each naming its follow. */
  onDidChangePods: Event<PodListChange>;
}

export const podsNames = domainNames<PodsService>()({
  methods: [
    'listPods',
    'followPods',
    'unfollowPods',
    'startLogs',
    'retryLogs',
    'stopLogs',
    'acknowledgeLogs',
    'events',
    'describe',
    'startForward',
    'listForwards',
    'stopForward',
  ],
  events: ['onDidLogs', 'onDidEndLogs', 'onDidChangeForwards', 'onDidChangePods'],
});
