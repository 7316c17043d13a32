/** The graph the group stage builds and the layout and view stages place and draw. */

export type GraphNodeType =
  | 'host'
  | 'vm'
  | 'node'
  | 'group'
  | 'pod'
  | 'service'
  | 'slice'
  | 'ingress'
  | 'gateway'
  | 'route'
  /** Healthy nodes folded into one box above the box budget (simplify.ts). */
  | 'pool'
  /** A namespace's healthy workloads, Services and Ingresses folded into one box (simplify.ts). */
  | 'namespace';

/** A status always has words; the tone only adds colour and an icon. */
export interface GraphStatus {
  tone: 'ok' | 'warning' | 'error' | 'unknown';
  text: string;
}

export interface GraphNode {
  id: string;
  type: GraphNodeType;
  /** Kubernetes kind, or Host / VM for the physical layer. */
  kind: string;
  label: string;
  namespace?: string;
  /** One line under the label: OS, role, version; a Service's type and ports. */
  detail?: string;
  status?: GraphStatus;
  /** Nodes: which OS, to draw Linux and Windows differently. */
  os?: 'linux' | 'windows' | 'other';
  role?: 'control-plane' | 'worker';
  /** The object this node stands for, for the details panel. */
  uid?: string;
  /** Pods of an expanded group: the group they are drawn inside. */
  parent?: string;
  /**
   * Groups: how many pods, how many are ready and failing, and how many are drawn inside the
   * box (an expanded group's first pods, failing ones first; a collapsed group's failing pods).
   */
  pods?: { total: number; ready: number; failing: number; shown: number };
  expanded?: boolean;
  /** The name matched the search. */
  match?: boolean;
}

export type GraphEdgeKind = 'hosts' | 'runs' | 'endpoints' | 'serves' | 'routes';

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: GraphEdgeKind;
}

export interface TopologyGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** What the map shows of a workload group, kept so a pod change can update the group in place. */
export interface GroupTally {
  id: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  desired?: number;
  total: number;
  ready: number;
  /** Pods whose status is an error. */
  problems: number;
  /** Pods per node name: a node -> group edge exists while its count is above zero. */
  nodes: Map<string, number>;
  /** Pods drawn inside the group: up to maxExpandedPods when expanded, the failing ones when collapsed. */
  shown: number;
}

/** What a pool or namespace box counts, kept so a change of a member can update it in place. */
export interface ContainerTally {
  id: string;
  kind: 'NodePool' | 'Namespace';
  name: string;
  /** Pools: "Linux workers on lab-1"; namespaces: the namespace. */
  label: string;
  /** Nodes of a pool, workloads of a namespace. */
  members: number;
  /** Namespaces: Services folded in (their Ingresses go with them). */
  services: number;
  /** Namespaces: pods of the folded workloads, and how many are ready. */
  total: number;
  ready: number;
  /** The user opened it: its members are drawn, the box stays so they can close it. */
  expanded: boolean;
}

/** Side table of a graph: each group's tally, and what is folded into what (simplify.ts). */
export interface GraphIndex {
  groups: Map<string, GroupTally>;
  /** Box id -> the id of the box it is folded into (only folded boxes). */
  folded: ReadonlyMap<string, string>;
  containers: Map<string, ContainerTally>;
  /** EndpointSlice uid -> the box its endpoint edges go into (its own, its Service's or its namespace's). */
  slices: ReadonlyMap<string, string>;
  /** Slices are folded into their Services: a Service box says how many endpoints are ready. */
  slicesFolded: boolean;
  /** Healthy nodes are folded into pools: a node whose health changes moves in or out of one. */
  pooled: boolean;
}

export interface IndexedGraph extends TopologyGraph {
  index: GraphIndex;
}
