/**
 * Draining a node as kubectl drain does: every pod but DaemonSet and mirror pods is evicted
 * through the eviction API, so PodDisruptionBudgets are honoured (an eviction a budget refuses is
 * asked again until the time limit), with a log line and progress per pod, and a timeout that
 * names each pod still there and the budget holding it.
 */
import { AppError } from '../../../shared/errors';
import type { KubeRequest } from '../../kube/target-request';
import { done, skipped } from '../step-context';
import type { StepContext, StepOutcome } from '../step-context';
import { budgetsCovering, podKey, selectPodsToDrain } from './drain-pods';
import type { BudgetView, DrainPod } from './drain-pods';

export type KubeCall = <T>(request: KubeRequest) => Promise<T>;

export interface DrainOptions {
  timeoutMs: number;
  /**
   * Evict pods with emptyDir volumes too (their emptyDir data is lost). False: such pods stop the
   * drain before any eviction, named (kubectl drain without --delete-emptydir-data).
   */
  deleteEmptyDirData: boolean;
}

const seconds = (ms: number) => Math.round(ms / 1000);

/** The drain step of a node that is cordoned already. */
export async function drainNode(ctx: StepContext, request: KubeCall, node: string, options: DrainOptions): Promise<StepOutcome> {
  ctx.local(`Evict the pods of ${node} (not DaemonSet or mirror pods); wait up to ${seconds(options.timeoutMs)} s`);
  if (ctx.dry) return done();
  const selector = encodeURIComponent(`spec.nodeName=${node}`);
  const podsOnNode = async () => (await request<{ items: DrainPod[] }>({ path: `/api/v1/pods?fieldSelector=${selector}` })).items;
  const selection = selectPodsToDrain(await podsOnNode());
  for (const { pod, reason } of selection.ignored) ctx.log(`Leave ${podKey(pod)} on ${node}: ${reason}.`);
  if (selection.emptyDir.length > 0 && !options.deleteEmptyDirData) {
    const named = selection.emptyDir.map(({ pod, volumes }) => `${podKey(pod)} (emptyDir ${volumes.join(', ')})`);
    throw new AppError(
      'INVALID_ARGUMENT',
      `Draining ${node} would delete the emptyDir data of ${named.join(', ')}. Nothing was evicted; the node stays cordoned.`,
      {
        fix: 'Drain again with "Delete emptyDir data" chosen (that data is lost; the pods start afresh elsewhere), or move those pods first. Resume the node to uncordon it.',
        pods: selection.emptyDir.map(({ pod }) => podKey(pod)),
      },
    );
  }
  const pods = selection.evict;
  if (pods.length === 0) return skipped('No pods to move.');
  for (const { pod, volumes } of selection.emptyDir) ctx.log(`${podKey(pod)}: the data in its emptyDir ${volumes.join(', ')} is deleted.`);
  for (const pod of selection.unmanaged) ctx.log(`${podKey(pod)} has no controller: once evicted it is gone, not started elsewhere.`);

  const gone = new Set<string>();
  // Evictions a PodDisruptionBudget refuses (429) are asked again until the drain times out, as kubectl drain does.
  let blocked = await evictAll(ctx, request, pods);
  let left = pods;
  const report = () => {
    const waiting = left.slice(0, 3).map(podKey).join(', ');
    ctx.progress(gone.size / pods.length, `${gone.size} of ${pods.length} pods moved${waiting === '' ? '' : `; waiting for ${waiting}`}`);
  };
  report();
  try {
    await ctx.waitFor(
      `the pods to leave ${node}`,
      async () => {
        const still = new Set((await podsOnNode()).map(podKey));
        left = pods.filter((pod) => still.has(podKey(pod)));
        for (const pod of pods) {
          if (still.has(podKey(pod)) || gone.has(podKey(pod))) continue;
          gone.add(podKey(pod));
          ctx.log(`${podKey(pod)} left ${node} (${gone.size} of ${pods.length}).`);
        }
        report();
        if (left.length === 0) return true;
        blocked = await evictAll(
          ctx,
          request,
          left.filter((pod) => blocked.has(podKey(pod))),
        );
        return undefined;
      },
      { timeoutMs: options.timeoutMs, intervalMs: 1_000, placeholder: true },
    );
  } catch (error) {
    const appError = AppError.from(error);
    if (appError.code !== 'TIMEOUT') throw appError;
    const budgets = await budgetsOf(request, left);
    const names = left.map((pod) => {
      if (!blocked.has(podKey(pod))) return podKey(pod);
      const covering = budgetsCovering(pod, budgets);
      return `${podKey(pod)} (eviction refused by ${covering.length === 0 ? 'a PodDisruptionBudget' : `PodDisruptionBudget ${covering.join(', ')}`})`;
    });
    throw new AppError(
      'TIMEOUT',
      `Draining ${node} took longer than ${seconds(options.timeoutMs)} s; still there: ${names.join(', ')}. The node stays cordoned.`,
      { fix: 'Check PodDisruptionBudgets and stuck pods, or raise the drain timeout, then resume.', pods: left.map(podKey) },
    );
  }
  return done(`${pods.length} pods moved`);
}

/** The PodDisruptionBudgets of the pods' namespaces (policy/v1 from Kubernetes 1.21, v1beta1 before); none when they cannot be read. */
async function budgetsOf(request: KubeCall, pods: readonly DrainPod[]): Promise<BudgetView[]> {
  const budgets: BudgetView[] = [];
  for (const namespace of new Set(pods.map((pod) => pod.metadata.namespace))) {
    for (const version of ['v1', 'v1beta1']) {
      try {
        const path = `/apis/policy/${version}/namespaces/${encodeURIComponent(namespace)}/poddisruptionbudgets`;
        budgets.push(...(await request<{ items: BudgetView[] }>({ path })).items);
        break;
      } catch {
        // policy/v1 is missing before 1.21: ask v1beta1; a refusal leaves the budget unnamed.
      }
    }
  }
  return budgets;
}

/** Evict each pod; returns the pods whose eviction a PodDisruptionBudget refused for now. */
async function evictAll(ctx: StepContext, request: KubeCall, pods: readonly DrainPod[]): Promise<Set<string>> {
  const blocked = new Set<string>();
  for (const pod of pods) {
    const outcome = await evict(request, pod);
    if (outcome === 'blocked') blocked.add(podKey(pod));
    else if (outcome === 'evicted') ctx.log(`Evicted ${podKey(pod)}.`);
  }
  return blocked;
}

/**
 * POST an Eviction: policy/v1 from Kubernetes 1.22, policy/v1beta1 before (an older server
 * refuses the newer body as invalid). A pod that is already gone is fine.
 */
async function evict(request: KubeCall, pod: DrainPod): Promise<'evicted' | 'gone' | 'blocked'> {
  const path = `/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace)}/pods/${encodeURIComponent(pod.metadata.name)}/eviction`;
  const metadata = { name: pod.metadata.name, namespace: pod.metadata.namespace };
  for (const apiVersion of ['policy/v1', 'policy/v1beta1']) {
    try {
      await request({ method: 'POST', path, body: { apiVersion, kind: 'Eviction', metadata } });
      return 'evicted';
    } catch (error) {
      const appError = AppError.from(error);
      if (appError.code === 'NOT_FOUND') return 'gone';
      if (appError.details?.status === 429) return 'blocked';
      if (apiVersion === 'policy/v1' && appError.code !== 'FORBIDDEN' && appError.code !== 'UNAUTHORIZED') continue;
      throw appError;
    }
  }
  return 'evicted';
}
