/**
 * One list, then a watch, for one kind: the watch resumes from the last resourceVersion it saw,
 * a 410 Gone (the version was compacted away) relists, and any other failure (API server down,
 * connection reset, 5xx) retries with capped backoff. client-node's Watch does not restart on its
 * own, so this loop is what keeps the map current across an API server restart.
 */
import type { KindWatchStatus, TopologyObject } from '../../shared/contract/topology';
import { Backoff } from '../platform/backoff';
import { compactObject } from './compact';
import type { KindEndpoint } from './discovery';
import type { KubeApi, WatchHandle } from '../kube/kube-api';
import { httpStatusOf, KubeHttpError, toAppError } from '../kube/kube-errors';
import type { RawList, RawObject, RawWatchEvent } from './raw-objects';

/** One object as the model stores it. */
export interface ModelEntry {
  uid: string;
  resourceVersion: string;
  object: TopologyObject;
}

/** Where a watcher puts what it reads. */
export interface KindSink {
  /** A complete list of the kind: objects missing from it were deleted. */
  replace(kind: KindEndpoint['kind'], entries: ModelEntry[]): void;
  upsert(entry: ModelEntry): void;
  remove(kind: KindEndpoint['kind'], uid: string): void;
  status(status: KindWatchStatus): void;
}

export interface KindWatcherOptions {
  /** Objects per list page (limit/continue), which bounds the memory a list needs. Default 500. */
  pageSize?: number;
  /** Asks the server to end each watch after about this long, so a silently dead connection is noticed. Default 300 s. */
  watchTimeoutSeconds?: number;
  backoff?: Backoff;
  /** How long a list page or a watch request may wait for the server's answer. Default 15 s. */
  answerTimeoutMs?: number;
}

type WatchEnd = { kind: 'gone' } | { kind: 'closed'; sawEvents: boolean } | { kind: 'failed'; error: unknown };

function isGone(error: unknown): boolean {
  return httpStatusOf(error) === 410;
}

export class KindWatcher {
  private stopped = false;
  private resourceVersion: string | undefined;
  private handle: WatchHandle | undefined;
  private wake: (() => void) | undefined;
  /** Set by retryNow() outside a wait: the next wait is skipped. */
  private retrySoon = false;
  private readonly backoff: Backoff;
  private readonly pageSize: number;
  private readonly watchTimeoutSeconds: number;
  private readonly answerTimeoutMs: number;

  constructor(
    private readonly api: KubeApi,
    readonly endpoint: KindEndpoint,
    private readonly sink: KindSink,
    options: KindWatcherOptions = {},
  ) {
    this.backoff = options.backoff ?? new Backoff();
    this.pageSize = options.pageSize ?? 500;
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? 300;
    this.answerTimeoutMs = options.answerTimeoutMs ?? 15_000;
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.handle?.abort();
    this.wake?.();
  }

  /** Ends a backoff wait now (new credentials were read): the retry goes out at once. */
  retryNow(): void {
    if (this.wake) this.wake();
    else this.retrySoon = true;
  }

  private entry(raw: RawObject): ModelEntry | undefined {
    const uid = raw.metadata?.uid;
    if (!uid) return undefined;
    return { uid, resourceVersion: raw.metadata?.resourceVersion ?? '', object: compactObject(this.endpoint.kind, raw) };
  }

  private report(state: KindWatchStatus['state'], error?: unknown, retryInMs?: number): void {
    const status: KindWatchStatus = { kind: this.endpoint.kind, apiVersion: this.endpoint.apiVersion, state };
    if (error !== undefined) status.error = toAppError(error, this.api.server).toJSON();
    if (retryInMs !== undefined) status.retryAt = new Date(Date.now() + retryInMs).toISOString();
    this.sink.status(status);
  }

  private async run(): Promise<void> {
    this.report('listing');
    while (!this.stopped) {
      try {
        if (this.resourceVersion === undefined) {
          await this.list();
          if (this.stopped) return;
          this.backoff.reset();
        }
        const end = await this.watchOnce(this.resourceVersion!);
        if (this.stopped) return;
        if (end.kind === 'gone') {
          // Our resourceVersion is older than etcd keeps: list again (a diff against the model).
          this.resourceVersion = undefined;
          this.report('listing');
          continue;
        }
        if (end.kind === 'closed' && end.sawEvents) {
          this.backoff.reset();
          continue;
        }
        // Closed at once without an event (a server going down closes this way too): back off.
        await this.retryLater(end.kind === 'failed' ? end.error : new Error('The watch closed without any event.'));
      } catch (error) {
        if (this.stopped) return;
        if (isGone(error)) {
          this.resourceVersion = undefined;
          continue;
        }
        await this.retryLater(error);
      }
    }
  }

  private async retryLater(error: unknown): Promise<void> {
    const delay = this.backoff.next();
    const forbidden = httpStatusOf(error) === 403;
    this.report(forbidden ? 'forbidden' : 'retrying', error, delay);
    // New credentials arrived while this attempt failed: retry with them at once.
    if (this.retrySoon) this.retrySoon = false;
    else await this.sleep(delay);
    // The retry resumes from the last resourceVersion; only a 410 makes it list again.
    if (!this.stopped && this.resourceVersion === undefined) this.report('listing');
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  /** Lists the kind page by page and replaces it in the model; sets the resourceVersion to watch from. */
  private async list(): Promise<void> {
    const entries: ModelEntry[] = [];
    let continueToken: string | undefined;
    let listVersion: string | undefined;
    do {
      const query = new URLSearchParams({ limit: String(this.pageSize) });
      if (continueToken) query.set('continue', continueToken);
      const page = await this.api.getJson<RawList>(`${this.endpoint.path}?${query.toString()}`, this.answerTimeoutMs * 2);
      for (const raw of page.items ?? []) {
        const entry = this.entry(raw);
        if (entry) entries.push(entry);
      }
      listVersion = page.metadata?.resourceVersion;
      continueToken = page.metadata?.continue || undefined;
    } while (continueToken && !this.stopped);
    if (this.stopped) return;
    this.sink.replace(this.endpoint.kind, entries);
    this.resourceVersion = listVersion ?? '0';
  }

  private watchOnce(resourceVersion: string): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      let sawEvents = false;
      let gone = false;
      const startedAt = Date.now();
      let settled = false;
      const finish = (end: WatchEnd) => {
        if (settled) return;
        settled = true;
        this.handle = undefined;
        resolve(end);
      };
      const onEvent = (event: RawWatchEvent) => {
        if (settled) return;
        if (event.type === 'ERROR') {
          if (event.object.code === 410) gone = true;
          const error = gone
            ? undefined
            : new KubeHttpError(event.object.code ?? 500, {
                message: event.object.message ?? 'watch error',
                reason: event.object.reason ?? '',
              });
          this.handle?.abort();
          finish(gone ? { kind: 'gone' } : { kind: 'failed', error });
          return;
        }
        const version = event.object.metadata?.resourceVersion;
        if (version) this.resourceVersion = version;
        sawEvents = true;
        if (event.type === 'BOOKMARK') return;
        const entry = this.entry(event.object);
        if (!entry) return;
        if (event.type === 'DELETED') this.sink.remove(this.endpoint.kind, entry.uid);
        else this.sink.upsert(entry);
      };
      const done = (error: unknown) => {
        if (error && !isGone(error)) finish({ kind: 'failed', error });
        else if (error) finish({ kind: 'gone' });
        // A watch that lasted a while and ended is the server's timeout, not a failure.
        else finish({ kind: 'closed', sawEvents: sawEvents || Date.now() - startedAt > 5_000 });
      };
      const query = {
        resourceVersion,
        allowWatchBookmarks: 'true',
        timeoutSeconds: String(Math.round(this.watchTimeoutSeconds * (0.9 + Math.random() * 0.2))),
      };
      // A server that is still starting can accept the connection and not answer: give up after a while.
      const answerTimer = setTimeout(
        () => finish({ kind: 'failed', error: new Error('The watch request was not answered in time.') }),
        this.answerTimeoutMs,
      );
      this.api.watch(this.endpoint.path, query, onEvent, done).then(
        (handle) => {
          clearTimeout(answerTimer);
          if (settled || this.stopped) {
            handle.abort();
            return;
          }
          // The server answered 200: the watch is established (again, after a retry).
          this.handle = handle;
          this.retrySoon = false;
          this.report('watching');
        },
        (error: unknown) => {
          clearTimeout(answerTimer);
          finish({ kind: 'failed', error });
        },
      );
    });
  }
}
