/**
 * Pure transformations applied to catalog manifests before they are sent: namespace, Nestlab's
 * labels (objects and pod templates), and the registry-mirror image rewrite.
 */
import { APP_INSTANCE_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, type ObjectRef } from '../../shared/contract/apps';
import { mirroredImage } from '../labs/registry-mirror';
import type { KubeObject } from './yaml-documents';

/** Kinds whose pods come from spec.template. */
const TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

export function labelsFor(instance: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [APP_INSTANCE_LABEL]: instance };
}

/**
 * Rewrites an image reference to the registry mirror of Settings (`host[:port][/path]`) in the
 * layout labs use (registry-mirror.ts): each registry under a path named after it, Docker Hub short
 * names completed as containerd completes them, so one mirror serves apps and labs alike.
 * `nginx:1.25` -> `mirror:5000/docker.io/library/nginx:1.25`,
 * `mcr.microsoft.com/azuredocs/azure-vote-front:v1` -> `mirror:5000/mcr.microsoft.com/azuredocs/azure-vote-front:v1`.
 */
export function rewriteImage(image: string, mirror: string): string {
  const target = mirror.trim().replace(/\/+$/, '');
  if (target === '') return image;
  return mirroredImage(image, `https://${target}`);
}

/** Every container image of an object's pod spec (init containers too). */
export function imagesOf(object: KubeObject): string[] {
  return podSpecContainers(object).map((container) => String(container.image));
}

function podSpec(object: KubeObject): Record<string, unknown> | undefined {
  if (object.kind === 'Pod') return object.spec as Record<string, unknown> | undefined;
  if (!TEMPLATE_KINDS.has(object.kind)) return undefined;
  const template = (object.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template;
  return template?.spec;
}

function podSpecContainers(object: KubeObject): Record<string, unknown>[] {
  const spec = podSpec(object);
  if (!spec) return [];
  return ['initContainers', 'containers'].flatMap((key) => (Array.isArray(spec[key]) ? (spec[key] as Record<string, unknown>[]) : []));
}

/** A pod spec toleration (the fields scheduling compares). */
export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** The tolerations of an object's pod spec (none for objects without pods). */
export function tolerationsOf(object: KubeObject): Toleration[] {
  const tolerations = podSpec(object)?.tolerations;
  return Array.isArray(tolerations) ? (tolerations as Toleration[]) : [];
}

/** The nodeSelector kubernetes.io/os of an object's pod spec, if any. */
export function nodeOsOf(object: KubeObject): string | undefined {
  const selector = podSpec(object)?.nodeSelector as Record<string, string> | undefined;
  return selector?.['kubernetes.io/os'];
}

export interface PrepareOptions {
  namespace: string;
  instance: string;
  registryMirror: string;
  /** Namespaced or not, by kind; objects of cluster-scoped kinds get no namespace. */
  isNamespaced: (object: KubeObject) => boolean;
}

/** A deep copy of the object with namespace, labels and images set for an install. */
export function prepareObject(object: KubeObject, options: PrepareOptions): KubeObject {
  const copy = structuredClone(object);
  const labels = labelsFor(options.instance);
  copy.metadata = { ...copy.metadata, labels: { ...copy.metadata.labels, ...labels } };
  if (options.isNamespaced(copy)) copy.metadata.namespace = options.namespace;
  else delete copy.metadata.namespace;
  if (TEMPLATE_KINDS.has(copy.kind)) {
    const template = (copy.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template;
    if (template) template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...labels } };
  }
  for (const container of podSpecContainers(copy)) {
    if (typeof container.image === 'string') container.image = rewriteImage(container.image, options.registryMirror);
  }
  return copy;
}

export function refOf(object: KubeObject): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
    ...(object.metadata.namespace === undefined ? {} : { namespace: object.metadata.namespace }),
  };
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? '' : `${ref.namespace}/`}${ref.name}`;
}
