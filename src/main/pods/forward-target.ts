/** Which pod and port a forward reaches: a pod's own port, or a Service port resolved as kubectl does. */
import type { ForwardRequest } from '../../shared/contract/pods';
import { AppError } from '../../shared/errors';
import type { RawPod, RawService, RawServicePort } from '../kube/raw-types';

/** A pod that is Running, not being deleted, and Ready: one a Service would send traffic to. */
export function isServingPod(pod: RawPod): boolean {
  if (pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running') return false;
  return (pod.status.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True');
}

/**
 * The Service port's target on a pod: a number as is, a name through the pod's container
 * ports, or the port itself when the Service names no target.
 */
export function podPortFor(service: RawService, pod: RawPod, servicePort: number, request: ForwardRequest): number {
  const port = servicePortOf(service, servicePort, request);
  const target = port.targetPort ?? port.port ?? servicePort;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const container of pod.spec?.containers ?? []) {
    const named = (container.ports ?? []).find((candidate) => candidate.name === target);
    if (named?.containerPort) return named.containerPort;
  }
  throw new AppError(
    'INVALID_INPUT',
    `Pod ${pod.metadata?.name ?? '?'} has no container port named "${target}", which Service ${request.name} targets.`,
  );
}

/** The Service's selector as a labelSelector; a Service without one has no pods to forward to. */
export function serviceSelector(service: RawService, request: ForwardRequest): string {
  const selector = Object.entries(service.spec?.selector ?? {}).map(([key, value]) => `${key}=${value}`);
  if (selector.length === 0) {
    throw new AppError('INVALID_INPUT', `Service ${request.namespace}/${request.name} has no selector, so it has no pods to forward to.`);
  }
  return selector.join(',');
}

/** The Service's port entry for `servicePort`; INVALID_INPUT naming the ports it has. */
export function servicePortOf(service: RawService, servicePort: number, request: ForwardRequest): RawServicePort {
  const ports = service.spec?.ports ?? [];
  const port = ports.find((candidate) => candidate.port === servicePort);
  if (!port) {
    throw new AppError(
      'INVALID_INPUT',
      `Service ${request.namespace}/${request.name} has no port ${servicePort}; its ports are ${ports.map((p) => p.port).join(', ') || 'none'}.`,
      { ports: ports.map((p) => p.port) },
    );
  }
  return port;
}
