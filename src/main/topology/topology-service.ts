/**
 * The topology domain: one ContextWatch per watched context, snapshots served in pages (a
 * 5,000-pod model is a few MB; the WebSocket transport takes at most 4 MB per message), and
 * deltas broadcast to every subscriber.
 */
import { randomUUID } from 'node:crypto';
import type {
  TopologyDelta,
  TopologyEvent,
  TopologyObject,
  TopologyObjectRef,
  TopologyService as TopologyContract,
  TopologySnapshotPage,
  TopologyStatus,
} from '../../shared/contract/topology';
import { AppError } from '../../shared/errors';
import { Emitter, type Event } from '../../shared/event';
import { ContextWatch, type ContextWatchOptions } from './context-watch';
import { toAppError } from '../kube/kube-errors';
import { toObjectEvents } from '../kube/object-events';
import type { RawEvent } from '../kube/raw-types';
import type { KubeConfigProvider } from '../kube/kubeconfig-provider';
import { RefreshingKubeApi, type RefreshingKubeApiOptions } from '../kube/refreshing-kube-api';

export interface TopologyServiceOptions {
  provider: KubeConfigProvider;
  watch?: ContextWatchOptions;
  /** Objects per snapshot page. Default 2,000 (about 1 MB of JSON for pods). */
  pageSize?: number;
  /** How long `snapshot` waits for the first lists. Default 30 s. */
  readyTimeoutMs?: number;
  /** How credentials are read again after a 401 (tests shorten the backoff). */
  credentials?: Pick<RefreshingKubeApiOptions, 'backoff' | 'create'>;
}

interface RunningWatch {
  watch: ContextWatch;
  api: RefreshingKubeApi;
}

interface HeldSnapshot {
  context: string;
  revision: number;
  objects: TopologyObject[];
  expiry: ReturnType<typeof setTimeout>;
}

export class TopologyService implements TopologyContract {
  private readonly deltaEmitter = new Emitter<TopologyDelta>();
  private readonly statusEmitter = new Emitter<TopologyStatus>();
  readonly onDidChange: Event<TopologyDelta> = this.deltaEmitter.event;
  readonly onDidChangeStatus: Event<TopologyStatus> = this.statusEmitter.event;

  private readonly watches = new Map<string, RunningWatch>();
  private readonly starting = new Map<string, Promise<RunningWatch>>();
  private readonly snapshots = new Map<string, HeldSnapshot>();
  private readonly pageSize: number;

  constructor(private readonly options: TopologyServiceOptions) {
    this.pageSize = options.pageSize ?? 2_000;
  }

  private async ensure(context: string): Promise<RunningWatch> {
    const running = this.watches.get(context);
    if (running) return running;
    let start = this.starting.get(context);
    if (!start) {
      start = (async () => {
        // Credentials are read again from the provider when the API server refuses them.
        const api = await RefreshingKubeApi.forContext(this.options.provider, context, this.options.credentials);
        const watch = new ContextWatch(
          context,
          api,
          (delta) => this.deltaEmitter.fire(delta),
          (status) => this.statusEmitter.fire(status),
          this.options.watch,
        );
        api.onDidRefresh(() => watch.retryNow());
        this.watches.set(context, { watch, api });
        watch.start();
        return { watch, api };
      })().finally(() => this.starting.delete(context));
      this.starting.set(context, start);
    }
    return start;
  }

  async watch(context: string): Promise<TopologyStatus> {
    return (await this.ensure(context)).watch.status();
  }

  unwatch(context: string): Promise<void> {
    const running = this.watches.get(context);
    running?.watch.stop();
    running?.api.dispose();
    this.watches.delete(context);
    if (running) this.statusEmitter.fire(running.watch.status());
    return Promise.resolve();
  }

  async snapshot(context: string, cursor?: string): Promise<TopologySnapshotPage> {
    let held: HeldSnapshot | undefined;
    let snapshotId: string;
    let offset = 0;
    const running = this.watches.get(context);
    if (!running) throw new AppError('NOT_FOUND', `The topology of ${context} is not being watched.`, { context });
    if (cursor) {
      const [id, at] = cursor.split(':');
      held = id ? this.snapshots.get(id) : undefined;
      if (!held || held.context !== context) throw new AppError('NOT_FOUND', 'That snapshot has expired; start a new one.');
      snapshotId = id!;
      offset = Number(at) || 0;
    } else {
      await running.watch.whenReady(this.options.readyTimeoutMs ?? 30_000);
      // Pending changes go out first: they are in the model, so a delta that repeats them is harmless.
      running.watch.flush();
      snapshotId = randomUUID();
      held = {
        context,
        revision: running.watch.currentRevision,
        objects: running.watch.model.all(),
        expiry: setTimeout(() => this.snapshots.delete(snapshotId), 60_000),
      };
      this.snapshots.set(snapshotId, held);
    }
    const objects = held.objects.slice(offset, offset + this.pageSize);
    const page: TopologySnapshotPage = {
      context,
      snapshotId,
      revision: held.revision,
      objects,
      status: running.watch.status(),
    };
    if (offset + this.pageSize < held.objects.length) page.nextCursor = `${snapshotId}:${offset + this.pageSize}`;
    else {
      clearTimeout(held.expiry);
      this.snapshots.delete(snapshotId);
    }
    return page;
  }

  contexts(): Promise<string[]> {
    return this.options.provider.contextNames();
  }

  async recentEvents(context: string, ref: TopologyObjectRef): Promise<TopologyEvent[]> {
    const { api } = await this.ensure(context);
    const selector = new URLSearchParams({
      fieldSelector: `involvedObject.kind=${ref.kind},involvedObject.name=${ref.name}`,
      limit: '100',
    });
    const path = ref.namespace ? `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/events` : '/api/v1/events';
    try {
      const list = await api.getJson<{ items?: RawEvent[] }>(`${path}?${selector.toString()}`, 15_000);
      // The same events as the Pods panel's (series counted, newest first), in the fields the map shows.
      return toObjectEvents(list.items ?? [], 20).map(({ type, reason, message, count, lastSeen }) => ({
        type,
        reason,
        message,
        count,
        ...(lastSeen === undefined ? {} : { lastSeen }),
      }));
    } catch (error) {
      throw toAppError(error);
    }
  }

  /** Stops every watch (app quit). */
  dispose(): void {
    for (const { watch, api } of this.watches.values()) {
      watch.stop();
      api.dispose();
    }
    this.watches.clear();
    for (const held of this.snapshots.values()) clearTimeout(held.expiry);
    this.snapshots.clear();
  }
}
