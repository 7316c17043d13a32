/**
 * Pure: an instance's live status from its record and the Deployments, pods and Services that
 * carry its label. Rollout counts come from the Deployment; the reason a pod is not ready comes
 * from the pod itself (a waiting container's reason, or the PodScheduled condition).
 */
import type { AppInstanceStatus, CatalogApp, DeploymentStatus, ObjectRef, ServiceStatus } from '../../shared/contract/apps';
import type { RawDeployment, RawPod, RawService } from '../kube/raw-types';

export interface InstanceRecord {
  context: string;
  namespace: string;
  instance: string;
  appId: string;
  objects: ObjectRef[];
}

function matches(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** Why a pod is not ready, in the words kubectl would use; undefined when it is fine. */
export function podReason(pod: RawPod): string | undefined {
  const status = pod.status ?? {};
  for (const container of status.containerStatuses ?? []) {
    const waiting = container.state?.waiting;
    if (waiting?.reason && waiting.reason !== 'ContainerCreating') {
      return waiting.message ? `${waiting.reason}: ${waiting.message}` : waiting.reason;
    }
  }
  const scheduled = status.conditions?.find((condition) => condition.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    const reason = scheduled.reason ?? 'Unschedulable';
    return scheduled.message ? `${reason}: ${scheduled.message}` : reason;
  }
  if (status.phase === 'Pending') return 'Pending';
  if (status.phase === 'Failed') return 'Failed';
  return undefined;
}

function deploymentStatus(deployment: RawDeployment, pods: RawPod[]): DeploymentStatus {
  const own = pods.filter(
    (pod) => !pod.metadata?.deletionTimestamp && matches(pod.metadata?.labels, deployment.spec?.selector?.matchLabels),
  );
  const desired = deployment.spec?.replicas ?? 1;
  const ready = deployment.status?.readyReplicas ?? 0;
  const reasons = own.map(podReason).filter((reason): reason is string => reason !== undefined);
  // Prefer a specific reason (ImagePullBackOff, Unschedulable) over a bare "Pending".
  const reason = reasons.find((r) => r !== 'Pending') ?? reasons[0];
  return {
    name: deployment.metadata?.name ?? '',
    desired,
    ready,
    updated: deployment.status?.updatedReplicas ?? 0,
    ...(reason !== undefined && ready < desired ? { reason } : {}),
    runningPods: own.filter((pod) => pod.status?.phase === 'Running').length,
    pendingPods: own.filter((pod) => pod.status?.phase === 'Pending').length,
  };
}

function serviceStatus(service: RawService): ServiceStatus {
  const ingress = service.status?.loadBalancer?.ingress?.[0];
  const externalAddress = ingress?.ip ?? ingress?.hostname;
  const ports = service.spec?.ports ?? [];
  return {
    name: service.metadata?.name ?? '',
    type: service.spec?.type ?? 'ClusterIP',
    ...(externalAddress ? { externalAddress } : {}),
    nodePorts: ports.map((port) => port.nodePort).filter((port): port is number => typeof port === 'number'),
    ports: ports.map((port) => port.port).filter((port): port is number => typeof port === 'number'),
  };
}

/** An http(s) URL for the Open button, or undefined: nothing else is ever offered. */
export function openUrlFor(scheme: string, host: string, port: number, path: string): string | undefined {
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const portPart = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443) ? '' : `:${port}`;
  try {
    const url = new URL(`${scheme}://${hostPart}${portPart}${path}`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

export function computeStatus(
  record: InstanceRecord,
  app: CatalogApp | undefined,
  deployments: RawDeployment[],
  pods: RawPod[],
  services: RawService[],
): AppInstanceStatus {
  const deploymentStatuses = deployments
    .filter((deployment) => !deployment.metadata?.deletionTimestamp)
    .map((deployment) => deploymentStatus(deployment, pods))
    .sort((a, b) => a.name.localeCompare(b.name));
  const serviceStatuses = services.map(serviceStatus).sort((a, b) => a.name.localeCompare(b.name));
  let openUrl: string | undefined;
  if (app?.open) {
    const target = serviceStatuses.find((service) => service.name === app.open?.service);
    if (target?.externalAddress) openUrl = openUrlFor(app.open.scheme, target.externalAddress, app.open.port, app.open.path);
  }
  const replicaRanges: Record<string, { min: number; max: number }> = {};
  for (const deployment of deploymentStatuses) {
    const declared = app?.deployments.find((d) => d.name === deployment.name);
    replicaRanges[deployment.name] = { min: 0, max: Math.max(declared?.maxReplicas ?? 10, deployment.desired) };
  }
  return {
    context: record.context,
    namespace: record.namespace,
    instance: record.instance,
    appId: record.appId,
    title: app?.title ?? record.appId,
    ...(app ? { os: app.os } : {}),
    deployments: deploymentStatuses,
    services: serviceStatuses,
    ...(openUrl ? { openUrl } : {}),
    replicaRanges,
    ready: deploymentStatuses.length > 0 && deploymentStatuses.every((d) => d.ready >= d.desired && d.updated >= d.desired),
    objects: record.objects,
  };
}
