/**
 * The live model of one context: discovery (retried until the API server answers), one
 * KindWatcher per offered kind, and batching: changes are sent as one delta per batch window
 * (16 ms by default), so a burst of 500 pod events is one message, not 500; a change after a
 * quiet spell is sent at once rather than a window later. Discovery runs again every
 * `rediscoverMs`, so kinds installed later (the Gateway API's CRDs) appear on the map and kinds
 * removed (or moved to another version) go, without reopening the context.
 */
import type { KindWatchStatus, TopologyDelta, TopologyKind, TopologyStatus } from '../../shared/contract/topology';
import { Backoff } from '../platform/backoff';
import { resolveKindEndpoints, type KindEndpoint } from './discovery';
import { ApiDiscovery } from '../kube/discovery';
import { SharedValues } from './compact';
import { KindWatcher, type KindWatcherOptions } from './kind-watcher';
import type { KubeApi } from '../kube/kube-api';
import { toAppError } from '../kube/kube-errors';
import { TopologyModel } from './topology-model';

export interface ContextWatchOptions extends KindWatcherOptions {
  /** How long changes are gathered before one delta goes out. Default 16 ms. */
  batchMs?: number;
  /** How often discovery runs again once it has answered. Default 60 s. */
  rediscoverMs?: number;
  /** How often, at most, a list's progress (objects read so far) goes out as a status. Default 1 s. */
  progressMs?: number;
}

export class ContextWatch {
  readonly model: TopologyModel;
  private revision = 0;
  /** The running watcher of each offered kind. */
  private readonly watchers = new Map<TopologyKind, KindWatcher>();
  private readonly kinds = new Map<string, KindWatchStatus>();
  private discoveryError: TopologyStatus['error'];
  private stopped = false;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** performance.now() of the last flush. */
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** A status for a list's progress, due within `progressMs`. */
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  private readyWaiters: (() => void)[] = [];
  private readonly batchMs: number;
  /** Kinds listed at least once. */
  private readonly everListed = new Set<string>();
  /** Spaces discovery attempts until it first answers. */
  private readonly discoveryBackoff = new Backoff();
  private readonly discovery: ApiDiscovery;
  /** Namespaces, node names, owners... kept once for all of the context's kinds. */
  private readonly shared = new SharedValues();

  constructor(
    readonly context: string,
    private readonly api: KubeApi,
    private readonly onDelta: (delta: TopologyDelta) => void,
    private readonly onStatus: (status: TopologyStatus) => void,
    private readonly options: ContextWatchOptions = {},
  ) {
    this.batchMs = options.batchMs ?? 16;
    this.discovery = new ApiDiscovery(api);
    this.model = new TopologyModel(() => {
      // A change after a quiet spell goes out at once (what arrived in the same tick with it
      // still joins it); during a burst, one delta per batch window.
      this.flushTimer ??= setTimeout(() => this.flush(), Math.max(0, this.lastFlushAt + this.batchMs - performance.now()));
    });
  }

  get currentRevision(): number {
    return this.revision;
  }

  start(): void {
    void this.discover(this.discoveryBackoff);
  }

  /**
   * New credentials were read: a discovery that has not answered yet retries now (each kind's
   * loop hears of new credentials from the API access itself).
   */
  retryNow(): void {
    if (this.stopped) return;
    if (this.watchers.size === 0 && this.discoveryError && this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      void this.discover(this.discoveryBackoff);
    }
  }

  private async discover(backoff: Backoff): Promise<void> {
    if (this.stopped) return;
    const discovered = this.watchers.size > 0;
    try {
      const endpoints = resolveKindEndpoints(await this.discovery.groups());
      if (this.stopped) return;
      this.discoveryError = undefined;
      if (this.applyEndpoints(endpoints) || !discovered) this.emitStatus();
      this.retryTimer = setTimeout(() => void this.discover(new Backoff()), this.options.rediscoverMs ?? 60_000);
    } catch (error) {
      if (this.stopped) return;
      // Once the kinds are watched, their watchers report trouble themselves: a failed
      // rediscovery only waits for the next one.
      if (discovered) {
        this.retryTimer = setTimeout(() => void this.discover(new Backoff()), this.options.rediscoverMs ?? 60_000);
        return;
      }
      this.discoveryError = toAppError(error, this.api.server).toJSON();
      this.emitStatus();
      this.retryTimer = setTimeout(() => void this.discover(backoff), backoff.next());
    }
  }

  /** Starts watchers for newly offered kinds and stops those no longer offered; true if any changed. */
  private applyEndpoints(endpoints: KindEndpoint[]): boolean {
    const offered = new Map(endpoints.map((endpoint) => [endpoint.kind, endpoint]));
    let changed = false;
    for (const [kind, watcher] of this.watchers) {
      if (offered.get(kind)?.apiVersion === watcher.endpoint.apiVersion) continue;
      watcher.stop();
      this.watchers.delete(kind);
      this.kinds.delete(kind);
      this.everListed.delete(kind);
      this.model.clearKind(kind);
      changed = true;
    }
    for (const endpoint of endpoints) {
      if (this.watchers.has(endpoint.kind)) continue;
      this.kinds.set(endpoint.kind, { kind: endpoint.kind, apiVersion: endpoint.apiVersion, state: 'listing' });
      const watcher = new KindWatcher(
        this.api,
        endpoint,
        {
          replace: (kind, entries) => this.model.replace(kind, entries),
          upsert: (entry) => this.model.upsert(entry),
          remove: (kind, uid) => this.model.remove(kind, uid),
          status: (status) => this.setKindStatus(status),
        },
        this.options,
        this.shared,
      );
      this.watchers.set(endpoint.kind, watcher);
      watcher.start();
      changed = true;
    }
    return changed;
  }

  private setKindStatus(status: KindWatchStatus): void {
    const before = this.kinds.get(status.kind);
    this.kinds.set(status.kind, status);
    if (status.state === 'watching') this.everListed.add(status.kind);
    if (before?.state === status.state && before.error?.message === status.error?.message) {
      // Only the count of a list's objects moved: said at most once a progressMs, with the latest counts.
      if (status.listed !== before.listed) {
        this.progressTimer ??= setTimeout(() => {
          this.progressTimer = undefined;
          this.emitStatus();
        }, this.options.progressMs ?? 1_000);
      }
      return;
    }
    // Send the data first, so a client that sees "ready" already has the objects.
    if (status.state === 'watching') this.flush();
    this.emitStatus();
    if (this.isReady()) {
      for (const resolve of this.readyWaiters.splice(0)) resolve();
    }
  }

  /** Every offered kind has been listed at least once (or is forbidden). */
  isReady(): boolean {
    if (this.kinds.size === 0) return false;
    return [...this.kinds.values()].every((kind) => this.everListed.has(kind.kind) || kind.state === 'forbidden');
  }

  /** Resolves once every kind is listed, or after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  status(): TopologyStatus {
    const kinds = [...this.kinds.values()];
    let state: TopologyStatus['state'] = 'starting';
    if (this.stopped) state = 'stopped';
    else if (this.discoveryError || kinds.some((kind) => kind.state === 'retrying' || kind.state === 'forbidden')) state = 'degraded';
    else if (kinds.length > 0 && kinds.every((kind) => kind.state === 'watching')) state = 'ready';
    const status: TopologyStatus = { context: this.context, state, kinds };
    // Refused credentials are one problem of the context, not one per kind: named once at the top.
    const error = this.discoveryError ?? kinds.find((kind) => kind.state === 'retrying' && kind.error?.code === 'UNAUTHORIZED')?.error;
    if (error) status.error = error;
    return status;
  }

  private emitStatus(): void {
    this.onStatus(this.status());
  }

  /** Sends pending changes now. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.lastFlushAt = performance.now();
    const changes = this.model.takeChanges();
    if (!changes || this.stopped) return;
    this.revision += 1;
    this.onDelta({ context: this.context, revision: this.revision, ...changes });
  }

  stop(): void {
    this.stopped = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.progressTimer) clearTimeout(this.progressTimer);
    for (const watcher of this.watchers.values()) watcher.stop();
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }
}
