/** Describe-style summaries of raw Pods, Deployments and Services (pure: raw JSON in, plain data out). */
import type { DescribedCondition, DescribedContainer, DescribedPort, ObjectDescription } from '../../shared/contract/pods';
import { ownerOf, selectorQuery } from './pod-summary';
import type { RawCondition, RawContainer, RawContainerStatus, RawDeployment, RawMeta, RawPod, RawService } from '../kube/raw-types';

function base(kind: ObjectDescription['kind'], metadata: RawMeta | undefined, status: string): ObjectDescription {
  const description: ObjectDescription = {
    kind,
    name: metadata?.name ?? '',
    namespace: metadata?.namespace ?? '',
    status,
    labels: { ...(metadata?.labels ?? {}) },
    // kubectl's last-applied copy is the whole object again: noise in a details panel.
    annotations: Object.fromEntries(
      Object.entries(metadata?.annotations ?? {}).filter(([key]) => key !== 'kubectl.kubernetes.io/last-applied-configuration'),
    ),
    fields: [],
    conditions: [],
    containers: [],
    ports: [],
  };
  if (metadata?.creationTimestamp) description.created = metadata.creationTimestamp;
  return description;
}

function conditions(raw: RawCondition[] | undefined): DescribedCondition[] {
  return (raw ?? []).map((condition) => {
    const out: DescribedCondition = { type: condition.type ?? '', status: condition.status ?? 'Unknown' };
    if (condition.reason) out.reason = condition.reason;
    if (condition.message) out.message = condition.message;
    if (condition.lastTransitionTime) out.lastTransition = condition.lastTransitionTime;
    return out;
  });
}

function containerPorts(container: RawContainer): string[] {
  return (container.ports ?? []).map(
    (port) => `${port.containerPort ?? '?'}/${port.protocol ?? 'TCP'}${port.name ? ` (${port.name})` : ''}`,
  );
}

function describeContainer(container: RawContainer, status: RawContainerStatus | undefined, init: boolean): DescribedContainer {
  const out: DescribedContainer = {
    name: container.name ?? '',
    image: container.image ?? '',
    init,
    state: 'Waiting',
    ports: containerPorts(container),
  };
  const state = status?.state;
  if (state?.running) out.state = 'Running';
  else if (state?.terminated) {
    out.state = 'Terminated';
    const reason = [state.terminated.reason, state.terminated.exitCode === undefined ? undefined : `exit code ${state.terminated.exitCode}`]
      .filter(Boolean)
      .join(', ');
    if (reason) out.reason = reason;
  } else if (state?.waiting?.reason) out.reason = state.waiting.reason;
  if (status) {
    out.ready = status.ready ?? false;
    out.restarts = status.restartCount ?? 0;
  }
  return out;
}

export function describePod(pod: RawPod): ObjectDescription {
  const phase = pod.metadata?.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown');
  const description = base('Pod', pod.metadata, pod.status?.reason ? `${phase} (${pod.status.reason})` : phase);
  const fields = description.fields;
  if (pod.spec?.nodeName) fields.push({ label: 'Node', value: pod.spec.nodeName });
  const ips = (pod.status?.podIPs ?? []).map((entry) => entry.ip).filter((ip): ip is string => Boolean(ip));
  if (ips.length > 0) fields.push({ label: 'Pod IPs', value: ips.join(', ') });
  else if (pod.status?.podIP) fields.push({ label: 'Pod IP', value: pod.status.podIP });
  if (pod.status?.hostIP) fields.push({ label: 'Host IP', value: pod.status.hostIP });
  if (pod.status?.qosClass) fields.push({ label: 'QoS class', value: pod.status.qosClass });
  const owner = ownerOf(pod);
  if (owner) fields.push({ label: 'Controlled by', value: `${owner.kind}/${owner.name}` });
  if (pod.spec?.serviceAccountName) fields.push({ label: 'Service account', value: pod.spec.serviceAccountName });
  const selector = Object.entries(pod.spec?.nodeSelector ?? {}).map(([key, value]) => `${key}=${value}`);
  if (selector.length > 0) fields.push({ label: 'Node selector', value: selector.join(', ') });
  if (pod.status?.message) fields.push({ label: 'Message', value: pod.status.message });
  description.conditions = conditions(pod.status?.conditions);
  const statusOf = (list: RawContainerStatus[] | undefined, name: string | undefined) => list?.find((status) => status.name === name);
  description.containers = [
    ...(pod.spec?.initContainers ?? []).map((c) => describeContainer(c, statusOf(pod.status?.initContainerStatuses, c.name), true)),
    ...(pod.spec?.containers ?? []).map((c) => describeContainer(c, statusOf(pod.status?.containerStatuses, c.name), false)),
  ];
  description.ports = (pod.spec?.containers ?? []).flatMap((container) =>
    (container.ports ?? []).map((port) => {
      const out: DescribedPort = { port: port.containerPort ?? 0, protocol: port.protocol ?? 'TCP' };
      if (port.name) out.name = port.name;
      return out;
    }),
  );
  return description;
}

export function describeDeployment(deployment: RawDeployment): ObjectDescription {
  const status = deployment.status ?? {};
  const desired = deployment.spec?.replicas ?? 1;
  const description = base(
    'Deployment',
    deployment.metadata,
    `${status.readyReplicas ?? 0}/${desired} ready, ${status.updatedReplicas ?? 0} updated, ${status.availableReplicas ?? 0} available`,
  );
  const fields = description.fields;
  fields.push({ label: 'Replicas', value: `${desired} desired, ${status.replicas ?? 0} total` });
  const selector = selectorQuery(deployment.spec?.selector);
  if (selector) fields.push({ label: 'Selector', value: selector });
  const strategy = deployment.spec?.strategy;
  if (strategy?.type) {
    const rolling = strategy.rollingUpdate;
    fields.push({
      label: 'Strategy',
      value: rolling
        ? `${strategy.type} (max surge ${rolling.maxSurge ?? '25%'}, max unavailable ${rolling.maxUnavailable ?? '25%'})`
        : strategy.type,
    });
  }
  const nodeSelector = Object.entries(deployment.spec?.template?.spec?.nodeSelector ?? {}).map(([key, value]) => `${key}=${value}`);
  if (nodeSelector.length > 0) fields.push({ label: 'Node selector', value: nodeSelector.join(', ') });
  description.conditions = conditions(status.conditions);
  const template = deployment.spec?.template?.spec;
  description.containers = [
    ...(template?.initContainers ?? []).map((c) => ({ ...describeContainer(c, undefined, true), state: 'Template' })),
    ...(template?.containers ?? []).map((c) => ({ ...describeContainer(c, undefined, false), state: 'Template' })),
  ];
  return description;
}

export function describeService(service: RawService): ObjectDescription {
  const spec = service.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const description = base('Service', service.metadata, spec.clusterIP ? `${type} ${spec.clusterIP}` : type);
  const fields = description.fields;
  fields.push({ label: 'Type', value: type });
  if (spec.clusterIP) fields.push({ label: 'Cluster IP', value: spec.clusterIP });
  const external = [
    ...(service.status?.loadBalancer?.ingress ?? [])
      .map((ingress) => ingress.ip ?? ingress.hostname)
      .filter((a): a is string => Boolean(a)),
    ...(spec.externalIPs ?? []),
  ];
  fields.push({
    label: 'External IP',
    value: external.length > 0 ? external.join(', ') : type === 'LoadBalancer' ? '<pending>' : '<none>',
  });
  const selector = Object.entries(spec.selector ?? {}).map(([key, value]) => `${key}=${value}`);
  fields.push({ label: 'Selector', value: selector.length > 0 ? selector.join(',') : '<none>' });
  if (spec.sessionAffinity) fields.push({ label: 'Session affinity', value: spec.sessionAffinity });
  description.ports = (spec.ports ?? []).map((port) => {
    const out: DescribedPort = { port: port.port ?? 0, protocol: port.protocol ?? 'TCP' };
    if (port.name) out.name = port.name;
    if (port.targetPort !== undefined) out.targetPort = String(port.targetPort);
    if (port.nodePort) out.nodePort = port.nodePort;
    return out;
  });
  return description;
}
