/**
 * The ids of the map's boxes and edges, in one place: buildGraph (group.ts) makes them and
 * patchGraph (patch.ts) finds boxes by them, so the two cannot drift apart.
 */
import type { GraphEdgeKind } from './graph-types';

export const hostId = (host: string): string => `host:${host}`;
export const vmId = (vm: string): string => `vm:${vm}`;
export const nodeId = (name: string): string => `node:${name}`;
/** The box of a workload group, by the uid of its top owner (a Deployment, StatefulSet...). */
export const groupId = (ownerUid: string): string => `group:${ownerUid}`;
/** A pod's own box: a lone pod, or one drawn inside an expanded group. */
export const podId = (uid: string): string => `pod:${uid}`;
export const serviceId = (namespace: string | undefined, name: string): string => `svc:${namespace ?? ''}/${name}`;
/** A Service named as `namespace/name` (an HTTPRoute's backends). */
export const serviceRefId = (ref: string): string => `svc:${ref}`;
export const sliceId = (uid: string): string => `slice:${uid}`;
export const isServiceId = (id: string): boolean => id.startsWith('svc:');
export const ingressId = (uid: string): string => `ing:${uid}`;
export const gatewayId = (namespace: string | undefined, name: string): string => `gw:${namespace ?? ''}/${name}`;
/** A Gateway named as `namespace/name` (an HTTPRoute's parents). */
export const gatewayRefId = (ref: string): string => `gw:${ref}`;
export const routeId = (uid: string): string => `route:${uid}`;
export const edgeId = (kind: GraphEdgeKind, source: string, target: string): string => `${kind}:${source}->${target}`;
/** A pool of healthy nodes drawn as one box (simplify.ts): by lab host, OS and role. */
export const poolId = (key: string): string => `pool:${key}`;
/** A namespace whose healthy workloads, Services and Ingresses are drawn as one box (simplify.ts). */
export const namespaceBoxId = (namespace: string): string => `ns:${namespace}`;
