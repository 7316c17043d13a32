/**
 * Raw Kubernetes JSON -> the compact model. Keeps only what the map and its details panel use:
 * managedFields, annotations (except the physical-layer ones), specs and most of status are
 * dropped, so 5,000 pods cost a few MB instead of hundreds (client-node's typed list of 5,000
 * pods held ~290 MB when measured). 30,000 pods: 21 MB of live heap for the whole model, 750
 * bytes a pod (bench/topology-model-memory.ts; 28 MB before values were shared and the unused
 * creation time and pod IP dropped).
 */
import {
  HOST_ANNOTATION,
  VM_ANNOTATION,
  type ConditionSummary,
  type OwnerRef,
  type TopologyKind,
  type TopologyObject,
} from '../../shared/contract/topology';
import type { RawCondition, RawContainerStatus, RawObject } from '../kube/raw-types';

/** Labels that say a node is a control plane (the current and the pre-1.20 names). */
const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];
/** Waiting reasons that are normal steps, not problems worth a label on the map. */
const QUIET_REASONS = new Set(['ContainerCreating', 'PodInitializing', 'Completed']);

/**
 * Values many objects repeat (namespaces, node names, owners, label values), kept once: JSON.parse
 * gives every object its own copy, some 40% of a compact pod. One pool per watched context; it
 * starts again when it holds more than {@link SharedValues.limit} values (so objects deleted long ago
 * do not pin theirs forever).
 */
export class SharedValues {
  private strings = new Map<string, string>();
  private owners = new Map<string, OwnerRef>();

  constructor(private readonly limit = 100_000) {}

  string(value: string): string {
    const held = this.strings.get(value);
    if (held !== undefined) return held;
    if (this.strings.size >= this.limit) this.strings = new Map();
    this.strings.set(value, value);
    return value;
  }

  owner(kind: string, name: string, uid: string): OwnerRef {
    const held = this.owners.get(uid);
    if (held && held.kind === kind && held.name === name) return held;
    if (this.owners.size >= this.limit) this.owners = new Map();
    const ref = { kind: this.string(kind), name: this.string(name), uid };
    this.owners.set(uid, ref);
    return ref;
  }

  labels(labels: Record<string, string>): Record<string, string> {
    for (const key of Object.keys(labels)) labels[key] = this.string(labels[key]!);
    return labels;
  }
}

type ValuePool = Pick<SharedValues, 'string' | 'owner' | 'labels'>;

/** A pool that keeps nothing: each value as it came. */
const unshared: ValuePool = {
  string: (value) => value,
  owner: (kind, name, uid) => ({ kind, name, uid }),
  labels: (labels) => labels,
};

function owner(raw: RawObject, shared: ValuePool): OwnerRef | undefined {
  const ref = raw.metadata?.ownerReferences?.find((candidate) => candidate.controller) ?? raw.metadata?.ownerReferences?.[0];
  if (!ref?.kind || !ref.name || !ref.uid) return undefined;
  return shared.owner(ref.kind, ref.name, ref.uid);
}

function conditions(raw: RawCondition[] | undefined): ConditionSummary[] {
  return (raw ?? []).map((condition) => {
    const summary: ConditionSummary = { type: condition.type ?? '', status: condition.status ?? 'Unknown' };
    if (condition.reason) summary.reason = condition.reason;
    if (condition.message) summary.message = condition.message;
    return summary;
  });
}

function base(raw: RawObject, shared: ValuePool) {
  const metadata = raw.metadata ?? {};
  const common: { uid: string; name: string; namespace?: string; labels?: Record<string, string>; owner?: OwnerRef } = {
    uid: metadata.uid ?? '',
    name: metadata.name ?? '',
  };
  if (metadata.namespace) common.namespace = shared.string(metadata.namespace);
  if (metadata.labels && Object.keys(metadata.labels).length > 0) common.labels = shared.labels(metadata.labels);
  const ownerRef = owner(raw, shared);
  if (ownerRef) common.owner = ownerRef;
  return common;
}

function podReason(raw: RawObject): string | undefined {
  const statuses: RawContainerStatus[] = [...(raw.status?.initContainerStatuses ?? []), ...(raw.status?.containerStatuses ?? [])];
  for (const status of statuses) {
    const reason = status.state?.waiting?.reason ?? status.state?.terminated?.reason;
    if (reason && !QUIET_REASONS.has(reason)) return reason;
  }
  if (raw.status?.reason) return raw.status.reason;
  // The scheduler found no node for it (reason Unschedulable): a problem the map shows, not a normal Pending.
  return raw.status?.conditions?.find((condition) => condition.type === 'PodScheduled' && condition.status === 'False')?.reason;
}

function nodeOs(raw: RawObject): 'linux' | 'windows' | 'other' {
  const os = raw.metadata?.labels?.['kubernetes.io/os'] ?? raw.status?.nodeInfo?.operatingSystem;
  return os === 'linux' || os === 'windows' ? os : 'other';
}

function readyStatus(raw: RawObject): 'True' | 'False' | 'Unknown' {
  const status = raw.status?.conditions?.find((condition) => condition.type === 'Ready')?.status;
  return status === 'True' || status === 'False' ? status : 'Unknown';
}

function serviceRefs(refs: { name?: string; namespace?: string; kind?: string }[] | undefined, namespace: string): string[] {
  return (refs ?? [])
    .filter((ref) => ref.name && (ref.kind ?? 'Service') === 'Service')
    .map((ref) => `${ref.namespace ?? namespace}/${ref.name}`);
}

/** The compact form of one object of `kind`; `shared` keeps values repeated across objects once. */
export function compactObject(kind: TopologyKind, raw: RawObject, shared: ValuePool = unshared): TopologyObject {
  const common = base(raw, shared);
  const spec = raw.spec ?? {};
  const status = raw.status ?? {};
  switch (kind) {
    case 'Node': {
      const labels = raw.metadata?.labels ?? {};
      const annotations = raw.metadata?.annotations ?? {};
      const node: TopologyObject = {
        kind,
        ...common,
        role: CONTROL_PLANE_LABELS.some((label) => label in labels) ? 'control-plane' : 'worker',
        os: nodeOs(raw),
        ready: readyStatus(raw),
        conditions: conditions(status.conditions),
      };
      if (status.nodeInfo?.kubeletVersion) node.kubeletVersion = status.nodeInfo.kubeletVersion;
      if (status.nodeInfo?.osImage) node.osImage = status.nodeInfo.osImage;
      if (spec.unschedulable) node.unschedulable = true;
      if (annotations[HOST_ANNOTATION]) node.host = annotations[HOST_ANNOTATION];
      if (annotations[VM_ANNOTATION]) node.vm = annotations[VM_ANNOTATION];
      return node;
    }
    case 'Pod': {
      const pod: TopologyObject = {
        kind,
        ...common,
        phase: shared.string(status.phase ?? 'Pending'),
        ready: status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false,
        restarts: (status.containerStatuses ?? []).reduce((sum, container) => sum + (container.restartCount ?? 0), 0),
      };
      if (spec.nodeName) pod.nodeName = shared.string(spec.nodeName);
      const reason = podReason(raw);
      if (reason) pod.reason = reason;
      if (raw.metadata?.deletionTimestamp) pod.terminating = true;
      if (!pod.ready && status.conditions) pod.conditions = conditions(status.conditions);
      return pod;
    }
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
      return { kind, ...common, desired: spec.replicas ?? 1, ready: status.readyReplicas ?? 0 };
    case 'DaemonSet':
      return { kind, ...common, desired: status.desiredNumberScheduled ?? 0, ready: status.numberReady ?? 0 };
    case 'Job':
      return { kind, ...common, desired: spec.completions ?? spec.parallelism ?? 1, ready: (status.succeeded ?? 0) + (status.active ?? 0) };
    case 'Service': {
      const service: TopologyObject = {
        kind,
        ...common,
        type: spec.type ?? 'ClusterIP',
        ports: (spec.ports ?? []).map(
          (port) => `${port.port ?? '?'}/${port.protocol ?? 'TCP'}${port.nodePort ? ` (node ${port.nodePort})` : ''}`,
        ),
      };
      if (spec.clusterIP) service.clusterIP = spec.clusterIP;
      const external = (status.loadBalancer?.ingress ?? []).map((entry) => entry.ip ?? entry.hostname ?? '').filter(Boolean);
      if (external.length > 0) service.externalAddresses = external;
      return service;
    }
    case 'EndpointSlice': {
      const endpoints = raw.endpoints ?? [];
      const slice: TopologyObject = {
        kind,
        ...common,
        podUids: endpoints.flatMap((endpoint) =>
          endpoint.targetRef?.kind === 'Pod' && endpoint.targetRef.uid ? [endpoint.targetRef.uid] : [],
        ),
        // An endpoint without a ready condition counts as ready (the API's documented default).
        readyCount: endpoints.filter((endpoint) => endpoint.conditions?.ready !== false).length,
        endpointCount: endpoints.length,
      };
      const service = raw.metadata?.labels?.['kubernetes.io/service-name'];
      if (service) slice.service = service;
      return slice;
    }
    case 'Ingress': {
      const rules = spec.rules ?? [];
      const names = new Set<string>();
      // networking.k8s.io/v1 names the backend service.name; v1beta1 names serviceName.
      const fallback = spec.defaultBackend?.service?.name ?? spec.backend?.serviceName;
      if (fallback) names.add(fallback);
      for (const rule of rules) {
        for (const path of rule.http?.paths ?? []) {
          const name = path.backend?.service?.name ?? path.backend?.serviceName;
          if (name) names.add(name);
        }
      }
      return { kind, ...common, hosts: rules.flatMap((rule) => (rule.host ? [rule.host] : [])), services: [...names] };
    }
    case 'Gateway': {
      const gateway: TopologyObject = { kind, ...common };
      if (spec.gatewayClassName) gateway.gatewayClass = spec.gatewayClassName;
      return gateway;
    }
    case 'HTTPRoute': {
      const namespace = common.namespace ?? 'default';
      return {
        kind,
        ...common,
        gateways: (spec.parentRefs ?? [])
          .filter((ref) => ref.name && (ref.kind ?? 'Gateway') === 'Gateway')
          .map((ref) => `${ref.namespace ?? namespace}/${ref.name}`),
        services: [...new Set((spec.rules ?? []).flatMap((rule) => serviceRefs(rule.backendRefs, namespace)))],
      };
    }
  }
}
