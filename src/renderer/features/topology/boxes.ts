/** The boxes of the map, one builder per kind of object; buildGraph and patchGraph both use them. */
import type {
  EndpointSliceObject,
  GatewayObject,
  HttpRouteObject,
  IngressObject,
  NodeObject,
  PodObject,
  ServiceObject,
} from '../../../shared/contract';
import type { ContainerTally, GraphNode, GraphStatus, GroupTally } from './graph-types';
import { gatewayId, hostId, ingressId, nodeId, podId, routeId, serviceId, sliceId, vmId } from './ids';
import { groupStatus, nodeStatus, podStatus } from './status';

const osName = { linux: 'Linux', windows: 'Windows', other: 'Other OS' } as const;

export function hostBox(host: string): GraphNode {
  return { id: hostId(host), type: 'host', kind: 'Host', label: host, detail: 'lab host' };
}

export function vmBox(vm: string, host: string | undefined): GraphNode {
  return { id: vmId(vm), type: 'vm', kind: 'VM', label: vm, detail: host ? `VM on ${host}` : 'VM' };
}

export function nodeBox(object: NodeObject): GraphNode {
  return {
    id: nodeId(object.name),
    type: 'node',
    kind: 'Node',
    label: object.name,
    detail: [osName[object.os], object.role === 'control-plane' ? 'control plane' : 'worker', object.kubeletVersion]
      .filter(Boolean)
      .join(' · '),
    status: nodeStatus(object),
    os: object.os,
    role: object.role,
    uid: object.uid,
  };
}

/** The box of a workload group, from its tally. */
export function groupNode(tally: GroupTally, expanded: boolean): GraphNode {
  const { total, ready } = tally;
  return {
    id: tally.id,
    type: 'group',
    kind: tally.kind,
    label: tally.name,
    namespace: tally.namespace,
    detail: `${tally.kind} · ${total} ${total === 1 ? 'pod' : 'pods'}`,
    status: groupStatus(total, ready, tally.desired, tally.problems),
    uid: tally.uid,
    pods: { total, ready, failing: tally.problems, shown: tally.shown },
    expanded,
  };
}

/** Whether a group is drawn expanded: small groups are, unless the user flipped that. */
export function isExpanded(id: string, total: number, collapseAbove: number, toggled: ReadonlySet<string>): boolean {
  return total <= collapseAbove !== toggled.has(id);
}

/** A pod's box: inside its group (`parent`) when the group is expanded, or a lone pod's own. */
export function podBox(pod: PodObject, parent?: string): GraphNode {
  return {
    id: podId(pod.uid),
    type: 'pod',
    kind: 'Pod',
    label: pod.name,
    namespace: pod.namespace,
    detail: pod.nodeName,
    status: podStatus(pod),
    uid: pod.uid,
    ...(parent === undefined ? {} : { parent }),
  };
}

/** Endpoints of one slice, or of all slices of a Service folded into it. */
export interface EndpointCounts {
  ready: number;
  total: number;
}

/** A Service's box; `endpoints` when its EndpointSlices are folded into it (simplify.ts). */
export function serviceBox(object: ServiceObject, endpoints?: EndpointCounts): GraphNode {
  const external = object.externalAddresses?.length ? ` · ${object.externalAddresses.join(', ')}` : '';
  const box: GraphNode = {
    id: serviceId(object.namespace, object.name),
    type: 'service',
    kind: 'Service',
    label: object.name,
    namespace: object.namespace,
    detail: `${object.type} · ${object.ports.join(', ')}${external}`,
    uid: object.uid,
  };
  if (endpoints) {
    const status = endpointStatus(endpoints);
    box.status = endpoints.total === 0 ? status : { ...status, text: `${endpoints.ready}/${endpoints.total} endpoints ready` };
  }
  return box;
}

function endpointStatus({ ready, total }: EndpointCounts): GraphStatus {
  if (total === 0) return { tone: 'warning', text: 'no endpoints' };
  return { tone: ready === total ? 'ok' : 'warning', text: `${ready}/${total} ready` };
}

/** The endpoints of a Service's slices, added up. */
export function endpointsOf(slices: Iterable<EndpointSliceObject>): EndpointCounts {
  const counts = { ready: 0, total: 0 };
  for (const slice of slices) {
    counts.ready += slice.readyCount;
    counts.total += slice.endpointCount;
  }
  return counts;
}

export function sliceBox(object: EndpointSliceObject): GraphNode {
  const status = endpointStatus({ ready: object.readyCount, total: object.endpointCount });
  return {
    id: sliceId(object.uid),
    type: 'slice',
    kind: 'EndpointSlice',
    label: object.name,
    namespace: object.namespace,
    detail: 'EndpointSlice',
    status,
    uid: object.uid,
  };
}

export function ingressBox(object: IngressObject): GraphNode {
  return {
    id: ingressId(object.uid),
    type: 'ingress',
    kind: 'Ingress',
    label: object.name,
    namespace: object.namespace,
    detail: object.hosts.join(', ') || 'any host',
    uid: object.uid,
  };
}

export function gatewayBox(object: GatewayObject): GraphNode {
  return {
    id: gatewayId(object.namespace, object.name),
    type: 'gateway',
    kind: 'Gateway',
    label: object.name,
    namespace: object.namespace,
    detail: object.gatewayClass,
    uid: object.uid,
  };
}

export function routeBox(object: HttpRouteObject): GraphNode {
  return { id: routeId(object.uid), type: 'route', kind: 'HTTPRoute', label: object.name, namespace: object.namespace, uid: object.uid };
}

/** Healthy nodes folded into one box (simplify.ts); all of them are Ready, the others are drawn apart. */
export function poolBox(tally: ContainerTally): GraphNode {
  return {
    id: tally.id,
    type: 'pool',
    kind: 'Node pool',
    label: tally.label,
    detail: `${tally.members} nodes`,
    status: { tone: 'ok', text: `${tally.members} Ready` },
    expanded: tally.expanded,
  };
}

/** A namespace's healthy workloads, Services and Ingresses folded into one box (simplify.ts). */
export function namespaceBox(tally: ContainerTally): GraphNode {
  const { total, ready } = tally;
  const box: GraphNode = {
    id: tally.id,
    type: 'namespace',
    kind: 'Namespace',
    label: tally.name,
    namespace: tally.name,
    detail: `${tally.members} workloads · ${tally.services} Services · ${total} pods`,
    expanded: tally.expanded,
  };
  if (!tally.expanded) box.status = { tone: ready === total ? 'ok' : 'warning', text: `${ready}/${total} ready` };
  return box;
}

export function containerBox(tally: ContainerTally): GraphNode {
  return tally.kind === 'NodePool' ? poolBox(tally) : namespaceBox(tally);
}
