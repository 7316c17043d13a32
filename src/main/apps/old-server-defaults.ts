/**
 * Fields a Kubernetes API server before 1.21 needs in a server-side apply but defaults itself
 * on create and update: a port's `protocol` is part of the list's merge key there, and an apply
 * that omits it fails with a 500 "...omits key field protocol" (kubernetes/kubernetes#93077,
 * fixed in 1.21 by kubernetes/kubernetes#98576). Quickstart manifests omit it everywhere, so
 * Nestlab sets the value the server would default (TCP) and says so.
 */
import type { ServerVersion } from '../kube/discovery';
import type { KubeObject } from './yaml-documents';

/** Whether server-side apply there needs the list key fields written out (Kubernetes before 1.21). */
export function needsKeyFieldDefaults(version: ServerVersion | undefined): boolean {
  return version !== undefined && version.major === 1 && version.minor < 21;
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Where a kind keeps its pod spec, as a path of keys from the object. */
const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  PodTemplate: ['template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

function at(object: Json, path: string[]): Json | undefined {
  let current: unknown = object;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return isRecord(current) ? current : undefined;
}

/** Sets `protocol: TCP` on every port of `ports` that has none; returns the paths it set. */
function defaultProtocols(ports: unknown, path: string): string[] {
  if (!Array.isArray(ports)) return [];
  const set: string[] = [];
  ports.forEach((port: unknown, index) => {
    if (isRecord(port) && port.protocol === undefined) {
      port.protocol = 'TCP';
      set.push(`${path}[${index}].protocol`);
    }
  });
  return set;
}

/**
 * Writes out the key fields an old server needs (in place) and returns one note per object
 * changed, naming the fields; an empty list when nothing was missing. Only core kinds are
 * touched: a custom resource's ports are its own business.
 */
export function addKeyFieldDefaults(object: KubeObject): string[] {
  const set: string[] = [];
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  if (object.kind === 'Service' && group === '') {
    set.push(...defaultProtocols(at(object, ['spec'])?.ports, 'spec.ports'));
  }
  const specPath = POD_SPEC_PATHS[object.kind];
  const podSpec = specPath && (group === '' || group === 'apps' || group === 'batch') ? at(object, specPath) : undefined;
  if (podSpec && specPath) {
    for (const list of ['initContainers', 'containers']) {
      const containers = podSpec[list];
      if (!Array.isArray(containers)) continue;
      containers.forEach((container: unknown, index) => {
        if (isRecord(container)) set.push(...defaultProtocols(container.ports, `${specPath.join('.')}.${list}[${index}].ports`));
      });
    }
  }
  if (set.length === 0) return [];
  return [
    `Set protocol: TCP (the server's own default) on ${set.join(', ')}: Kubernetes before 1.21 refuses a server-side apply that omits it.`,
  ];
}
