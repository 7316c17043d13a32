import type { PodListChange, PodSummary } from '../../../shared/contract';

/**
 * The rows after a change of a followed list: the whole list when it came again, else the rows
 * with the upserted ones in place (new ones at the end; the table sorts) and the removed ones gone.
 * A new array, so the table indexes it again; unchanged rows are the same objects.
 */
export function applyPodChange(pods: readonly PodSummary[], change: PodListChange): PodSummary[] {
  if (change.pods) return change.pods;
  if (change.upserted.length === 0 && change.removed.length === 0) return pods as PodSummary[];
  const upserts = new Map(change.upserted.map((pod) => [`${pod.namespace}/${pod.name}`, pod]));
  const removed = new Set(change.removed);
  const next: PodSummary[] = [];
  for (const pod of pods) {
    const key = `${pod.namespace}/${pod.name}`;
    if (removed.has(key)) continue;
    const replacement = upserts.get(key);
    if (replacement) upserts.delete(key);
    next.push(replacement ?? pod);
  }
  for (const pod of upserts.values()) next.push(pod);
  return next;
}
