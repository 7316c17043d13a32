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
import type { GraphNode, GraphStatus, GroupTally } from './graph-types';
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

export function serviceBox(object: ServiceObject): GraphNode {
  const external = object.externalAddresses?.length ? ` · ${object.externalAddresses.join(', ')}` : '';
  return {
    id: serviceId(object.namespace, object.name),
    type: 'service',
    kind: 'Service',
    label: object.name,
    namespace: object.namespace,
    detail: `${object.type} · ${object.ports.join(', ')}${external}`,
    uid: object.uid,
  };
}

export function sliceBox(object: EndpointSliceObject): GraphNode {
  const status: GraphStatus =
    object.endpointCount === 0
      ? { tone: 'warning', text: 'no endpoints' }
      : {
          tone: object.readyCount === object.endpointCount ? 'ok' : 'warning',
          text: `${object.readyCount}/${object.endpointCount} ready`,
        };
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
