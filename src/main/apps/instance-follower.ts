/**
 * Follows one app instance: its Deployments, pods and Services (by the instance label) through
 * the shared list-then-watch loop of src/main/kube (resourceVersion resume, 410 relist, backoff,
 * credentials read again after a 401), and recomputes the status after each burst of changes,
 * so a `kubectl scale` by someone else reaches the slider.
 */
import { APP_INSTANCE_LABEL, type AppInstanceStatus } from '../../shared/contract/apps';
import type { KubeApi } from '../kube/kube-api';
import { ListWatch, type ListedObject } from '../kube/list-watch';

const KINDS = ['/apis/apps/v1/namespaces/NS/deployments', '/api/v1/namespaces/NS/pods', '/api/v1/namespaces/NS/services'];

export interface FollowerOptions {
  api: KubeApi;
  namespace: string;
  instance: string;
  /** Reads the whole status (lists); called after changes settle. */
  read: () => Promise<AppInstanceStatus>;
  emit: (status: AppInstanceStatus) => void;
  settleMs?: number;
}

export class InstanceFollower {
  private readonly loops: ListWatch<ListedObject, ListedObject>[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private reading = false;
  private again = false;

  constructor(private readonly options: FollowerOptions) {}

  start(): void {
    const changed = () => this.schedule();
    for (const kind of KINDS) {
      let failing = false;
      const loop = new ListWatch<ListedObject, ListedObject>(
        this.options.api,
        {
          // A list (the first, or one after a 410) may hold changes made since follow() read.
          replace: changed,
          upsert: changed,
          remove: changed,
          status: ({ state }) => {
            // Back after a failure: a read that failed meanwhile is made good.
            if (state === 'watching' && failing) changed();
            failing = state === 'retrying' || state === 'forbidden';
          },
        },
        {
          path: kind.replace('NS', encodeURIComponent(this.options.namespace)),
          query: { labelSelector: `${APP_INSTANCE_LABEL}=${this.options.instance}` },
          decode: (raw) => raw,
        },
      );
      this.loops.push(loop);
      loop.start();
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const loop of this.loops) loop.stop();
    this.loops.length = 0;
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
      // The next change reads again.
    } finally {
      this.reading = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }
}
