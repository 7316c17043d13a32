/**
 * A followed pods list: the shared list-then-watch loop (kube/list-watch.ts) from the version the
 * list was taken at, its events gathered into one PodListChange per moment. 30,000 pods can
 * change hundreds of times a second (a rollout, a node going down); the window re-sorts all
 * rows per change, so changes go out at most every `flushMs`, a pod changed twice as one row.
 */
import type { PodListChange, PodSummary } from '../../shared/contract/pods';
import type { KubeApi } from '../kube/kube-api';
import { ListWatch, type ListWatchStatus } from '../kube/list-watch';
import type { RawPod } from '../kube/raw-types';
import { sortPods, toPodSummary } from './pod-summary';

export interface PodFollowOptions {
  api: KubeApi;
  /** The collection and its query, as listed. */
  path: string;
  query: Record<string, string>;
  /** The list's resourceVersion: the watch starts there. */
  resourceVersion: string | undefined;
  emit: (change: PodListChange) => void;
  /** Default 250 ms. */
  flushMs?: number;
}

const keyOf = (pod: PodSummary) => `${pod.namespace}/${pod.name}`;

export class PodFollow {
  private readonly loop: ListWatch<RawPod, PodSummary>;
  private replaced: PodSummary[] | undefined;
  private readonly upserted = new Map<string, PodSummary>();
  private readonly removed = new Set<string>();
  private error: ListWatchStatus['error'];
  private errorChanged = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly id: string,
    private readonly options: PodFollowOptions,
  ) {
    this.loop = new ListWatch<RawPod, PodSummary>(
      options.api,
      {
        replace: (pods) => {
          this.replaced = sortPods(pods);
          this.upserted.clear();
          this.removed.clear();
          this.schedule();
        },
        upsert: (pod) => {
          this.removed.delete(keyOf(pod));
          this.upserted.set(keyOf(pod), pod);
          this.schedule();
        },
        remove: (pod) => {
          this.upserted.delete(keyOf(pod));
          this.removed.add(keyOf(pod));
          this.schedule();
        },
        status: (status) => {
          const failing = status.state === 'retrying' || status.state === 'forbidden';
          if (!failing && this.error === undefined) return;
          this.error = failing ? status.error : undefined;
          this.errorChanged = true;
          this.schedule();
        },
      },
      // Without a version (a list that gave none) the loop lists again itself.
      { path: options.path, query: options.query, decode: toPodSummary, resourceVersion: options.resourceVersion },
    );
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.options.flushMs ?? 250);
  }

  private flush(): void {
    this.timer = undefined;
    const change: PodListChange = { followId: this.id, upserted: [...this.upserted.values()], removed: [...this.removed] };
    if (this.replaced) change.pods = this.replaced;
    if (this.error) change.error = this.error.toJSON();
    const empty = !change.pods && change.upserted.length === 0 && change.removed.length === 0;
    this.replaced = undefined;
    this.upserted.clear();
    this.removed.clear();
    if (empty && !this.errorChanged) return;
    this.errorChanged = false;
    this.options.emit(change);
  }
}
