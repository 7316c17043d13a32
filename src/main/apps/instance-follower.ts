/**
 * Follows one app instance: watches its Deployments, pods and Services (by the instance label)
 * and recomputes the status after each burst of events, so a `kubectl scale` by someone else
 * reaches the slider. A watch the server ends (its timeout) is started again after restartMs; one
 * that fails (API server restart, a refusal) after a jittered backoff that grows to 10 s. The
 * client reads credentials again after a 401, so re-imported ones are picked up.
 */
import { APP_INSTANCE_LABEL, type AppInstanceStatus } from '../../shared/contract/apps';
import { Backoff } from '../platform/backoff';
import type { KubeClient, WatchHandle } from './kube-client';

const KINDS = ['/apis/apps/v1/namespaces/NS/deployments', '/api/v1/namespaces/NS/pods', '/api/v1/namespaces/NS/services'];

export interface FollowerOptions {
  client: KubeClient;
  namespace: string;
  instance: string;
  /** Reads the whole status (lists); called after events settle. */
  read: () => Promise<AppInstanceStatus>;
  emit: (status: AppInstanceStatus) => void;
  settleMs?: number;
  /** Wait before a watch the server closed starts again. Default 1 s. */
  restartMs?: number;
  /** Spacing of restarts after failures. Default 250 ms doubling to 10 s. */
  backoff?: Backoff;
}

export class InstanceFollower {
  private readonly handles = new Set<WatchHandle>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private reading = false;
  private again = false;
  private readonly backoff: Backoff;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly options: FollowerOptions) {
    this.backoff = options.backoff ?? new Backoff(250, 10_000);
  }

  start(): void {
    for (const kind of KINDS) void this.watch(kind.replace('NS', encodeURIComponent(this.options.namespace)));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const handle of this.handles) handle.abort();
    this.handles.clear();
  }

  private async watch(path: string): Promise<void> {
    if (this.stopped) return;
    const restart = (failed: boolean) => {
      if (this.stopped) return;
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          void this.watch(path);
        },
        failed ? this.backoff.next() : (this.options.restartMs ?? 1_000),
      );
      this.timers.add(timer);
      // Events may have been missed while the watch was down.
      this.schedule();
    };
    try {
      let handle: WatchHandle | undefined = undefined;
      handle = await this.options.client.watch(
        path,
        { labelSelector: `${APP_INSTANCE_LABEL}=${this.options.instance}`, timeoutSeconds: '300', allowWatchBookmarks: 'false' },
        () => {
          this.backoff.reset();
          this.schedule();
        },
        (error) => {
          if (handle) this.handles.delete(handle);
          restart(error !== null);
        },
      );
      if (this.stopped) handle.abort();
      else this.handles.add(handle);
    } catch {
      restart(true);
    }
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, this.options.settleMs ?? 50);
  }

  private async refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      const status = await this.options.read();
      if (!this.stopped) this.options.emit(status);
    } catch {
      // The next event, or the watch restart, reads again.
    } finally {
      this.reading = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }
}
