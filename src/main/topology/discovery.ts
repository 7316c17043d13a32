/**
 * Which kinds the server offers, and at which version. EndpointSlices are discovery.k8s.io/v1
 * from 1.21 and v1beta1 only on 1.20 (our test control plane); Ingress moved to
 * networking.k8s.io/v1 in 1.19; the Gateway API exists only where its CRDs are installed.
 */
import type { TopologyKind } from '../../shared/contract/topology';
import type { ApiGroupList } from '../kube/discovery';

/** Where one kind is read from. */
export interface KindEndpoint {
  kind: TopologyKind;
  /** e.g. "v1", "apps/v1", "discovery.k8s.io/v1beta1". */
  apiVersion: string;
  /** Cluster-wide collection path, e.g. /apis/apps/v1/deployments. */
  path: string;
}

interface KindSource {
  kind: TopologyKind;
  /** '' for the core group. */
  group: string;
  /** Versions Nestlab can read, best first. */
  versions: string[];
  resource: string;
}

const sources: KindSource[] = [
  { kind: 'Node', group: '', versions: ['v1'], resource: 'nodes' },
  { kind: 'Pod', group: '', versions: ['v1'], resource: 'pods' },
  { kind: 'Service', group: '', versions: ['v1'], resource: 'services' },
  { kind: 'Deployment', group: 'apps', versions: ['v1'], resource: 'deployments' },
  { kind: 'ReplicaSet', group: 'apps', versions: ['v1'], resource: 'replicasets' },
  { kind: 'StatefulSet', group: 'apps', versions: ['v1'], resource: 'statefulsets' },
  { kind: 'DaemonSet', group: 'apps', versions: ['v1'], resource: 'daemonsets' },
  { kind: 'Job', group: 'batch', versions: ['v1'], resource: 'jobs' },
  { kind: 'EndpointSlice', group: 'discovery.k8s.io', versions: ['v1', 'v1beta1'], resource: 'endpointslices' },
  { kind: 'Ingress', group: 'networking.k8s.io', versions: ['v1', 'v1beta1'], resource: 'ingresses' },
  { kind: 'Gateway', group: 'gateway.networking.k8s.io', versions: ['v1', 'v1beta1', 'v1alpha2'], resource: 'gateways' },
  { kind: 'HTTPRoute', group: 'gateway.networking.k8s.io', versions: ['v1', 'v1beta1', 'v1alpha2'], resource: 'httproutes' },
];

/** The endpoints of every kind the server offers, given its /apis answer. Core kinds are always offered. */
export function resolveKindEndpoints(groups: ApiGroupList): KindEndpoint[] {
  const offered = new Map<string, Set<string>>();
  for (const group of groups.groups ?? []) {
    if (!group.name) continue;
    offered.set(group.name, new Set((group.versions ?? []).flatMap((entry) => (entry.version ? [entry.version] : []))));
  }
  const endpoints: KindEndpoint[] = [];
  for (const source of sources) {
    if (source.group === '') {
      endpoints.push({ kind: source.kind, apiVersion: 'v1', path: `/api/v1/${source.resource}` });
      continue;
    }
    const version = source.versions.find((candidate) => offered.get(source.group)?.has(candidate));
    if (!version) continue;
    endpoints.push({
      kind: source.kind,
      apiVersion: `${source.group}/${version}`,
      path: `/apis/${source.group}/${version}/${source.resource}`,
    });
  }
  return endpoints;
}
