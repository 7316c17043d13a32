/**
 * What a drain does with each pod of a node, as kubectl drain decides it: DaemonSet and mirror
 * (static) pods stay, pods with emptyDir volumes lose that data (refused unless allowed), pods no
 * controller manages are not recreated anywhere. And which PodDisruptionBudgets cover a pod, so a
 * drain that a budget holds up can name it.
 */

/** The fields of a pod a drain reads. */
export interface DrainPod {
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    ownerReferences?: { kind: string; name?: string; controller?: boolean }[];
    annotations?: Record<string, string>;
  };
  spec?: { volumes?: { name: string; emptyDir?: object }[] };
}

/** A pod the drain leaves where it is, and why. */
export interface IgnoredPod {
  pod: DrainPod;
  reason: string;
}

export interface DrainSelection {
  /** Pods to evict. */
  evict: DrainPod[];
  /** DaemonSet and mirror pods: they belong to the node. */
  ignored: IgnoredPod[];
  /** Pods (among `evict`) with emptyDir volumes, and those volumes' names. */
  emptyDir: { pod: DrainPod; volumes: string[] }[];
  /** Pods (among `evict`) no controller manages: evicted, they are gone for good. */
  unmanaged: DrainPod[];
}

export const podKey = (pod: DrainPod): string => `${pod.metadata.namespace}/${pod.metadata.name}`;

const controllerOf = (pod: DrainPod) => pod.metadata.ownerReferences?.find((owner) => owner.controller === true);

/** Sorts a node's pods for a drain. */
export function selectPodsToDrain(pods: readonly DrainPod[]): DrainSelection {
  const selection: DrainSelection = { evict: [], ignored: [], emptyDir: [], unmanaged: [] };
  for (const pod of pods) {
    if (pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined) {
      selection.ignored.push({ pod, reason: 'a static pod of the node (mirror pod)' });
      continue;
    }
    const controller = controllerOf(pod);
    if (controller?.kind === 'DaemonSet') {
      selection.ignored.push({ pod, reason: `DaemonSet ${controller.name ?? ''}`.trim() });
      continue;
    }
    selection.evict.push(pod);
    const volumes = (pod.spec?.volumes ?? []).filter((volume) => volume.emptyDir !== undefined).map((volume) => volume.name);
    if (volumes.length > 0) selection.emptyDir.push({ pod, volumes });
    if (controller === undefined) selection.unmanaged.push(pod);
  }
  return selection;
}

/** A label selector as PodDisruptionBudgets carry it. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/**
 * Whether `labels` match `selector`, as the API server reads a PodDisruptionBudget's selector:
 * an empty selector (policy/v1) matches every pod, an absent one none.
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (selector === undefined) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    if (operator === 'In' && !(has && values.includes(labels[key] ?? ''))) return false;
    if (operator === 'NotIn' && has && values.includes(labels[key] ?? '')) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The fields of a PodDisruptionBudget a drain reads. */
export interface BudgetView {
  metadata: { name: string; namespace: string };
  spec?: { selector?: LabelSelector };
}

/** Names of the budgets in the pod's namespace that cover it. */
export function budgetsCovering(pod: DrainPod, budgets: readonly BudgetView[]): string[] {
  return budgets
    .filter((budget) => budget.metadata.namespace === pod.metadata.namespace && selectorMatches(budget.spec?.selector, pod.metadata.labels))
    .map((budget) => budget.metadata.name);
}
