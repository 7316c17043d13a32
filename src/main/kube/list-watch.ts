/**
 * The one list-then-watch loop of src/main/kube, for every service that follows a collection
 * (topology's kinds, a Deployment's pods in a log stream, an app instance's objects).
 *
 * It lists (page by page, decoding each object as it arrives, so a 5,000-pod list never holds
 * more than a page of raw JSON), hands the complete set to `replace`, then watches from the
 * list's resourceVersion. A watch resumes from the last version it saw (bookmarks keep it
 * fresh on quiet collections); a 410 Gone, as an answer or an ERROR event, means that version
 * was compacted away, so it lists again and `replace` drops what was deleted meanwhile: no
 * ghost objects. Any other failure (API server down, connection cut, 5xx, a refusal) waits a
 * jittered, capped Backoff (platform/backoff.ts) and resumes; a watch answered but closed at
 * once without an event waits too, so nothing asks the server in a loop. New credentials
 * (RefreshingKubeApi.onDidRefresh) end a wait at once.
 */
import { AppError } from '../../shared/errors';
import type { Disposable } from '../../shared/event';
import { Backoff } from '../platform/backoff';
import type { KubeApi, WatchEvent, WatchHandle } from './kube-api';
import { httpStatusOf, KubeHttpError, toAppError, type KubeStatus } from './kube-errors';

/** The part of every Kubernetes object the loop reads. */
export interface ListedObject {
  metadata?: { resourceVersion?: string };
}

interface ListPage<R> {
  items?: R[];
  metadata?: { resourceVersion?: string; continue?: string };
}

export type ListWatchState = 'listing' | 'watching' | 'retrying' | 'forbidden';

export interface ListWatchStatus {
  state: ListWatchState;
  /** Why it is retrying (or forbidden). */
  error?: AppError;
  /** When retrying: the wait before the next attempt. */
  retryInMs?: number;
  /** While listing: the objects read so far, once a page has come (a large list takes tens of seconds). */
  listed?: number;
}

/** Where the loop puts what it reads. */
export interface ListWatchSink<T> {
  /** The complete collection, after the first list and after every relist: what is missing from it was deleted. */
  replace(items: T[]): void;
  upsert(item: T): void;
  remove(item: T): void;
  status?(status: ListWatchStatus): void;
}

export interface ListWatchOptions<R extends ListedObject, T> {
  /** The collection, e.g. /api/v1/pods or /api/v1/namespaces/default/services (no query). */
  path: string;
  /** Sent with every list and watch: labelSelector, fieldSelector. */
  query?: Record<string, string>;
  /** One raw object as the sink keeps it (undefined skips it). */
  decode: (raw: R) => T | undefined;
  /** A version the caller listed at itself: the first watch starts there, without a list. */
  resourceVersion?: string;
  /** Objects per list page (limit/continue), which bounds the memory a list needs. Default 500. */
  pageSize?: number;
  /** Asks the server to end each watch after about this long (±10%), so a silently dead connection is noticed. Default 300 s. */
  watchTimeoutSeconds?: number;
  /** How long a list page or a watch request may wait for the server's answer. Default 15 s (a page 30 s). */
  answerTimeoutMs?: number;
  /** Ask for BOOKMARK events. Default true. */
  bookmarks?: boolean;
  /** Spacing of retries after failures. Default 250 ms doubling to 10 s. */
  backoff?: Backoff;
}

export interface ListCollectionOptions<R, T> {
  /** The collection, e.g. /api/v1/pods (no query). */
  path: string;
  /** Sent with every page: labelSelector, fieldSelector. */
  query?: Record<string, string>;
  /** One raw object as the caller keeps it (undefined skips it). */
  decode: (raw: R) => T | undefined;
  /** Objects per page. Default 500. */
  pageSize?: number;
  /** How long a page may take is twice this. Default 15 s. */
  answerTimeoutMs?: number;
  /** Checked between pages: true ends the list early (its result is then incomplete). */
  stopped?: () => boolean;
  /** Called after each page but the last with the objects read so far. */
  onPage?: (listed: number) => void;
}

/**
 * Lists a collection page by page (limit/continue), decoding each object as its page arrives, so
 * a list never holds more than a page of raw JSON: a one-shot list with the loop's memory bound
 * (5,000 pods are 20 MB of JSON in one answer, 30,000 six times that). A failed page rejects,
 * a 410 (the continue token expired) included.
 */
export async function listCollection<R, T>(
  api: KubeApi,
  options: ListCollectionOptions<R, T>,
): Promise<{ items: T[]; resourceVersion: string | undefined }> {
  const items: T[] = [];
  let continueToken: string | undefined;
  let resourceVersion: string | undefined;
  const answerTimeoutMs = options.answerTimeoutMs ?? 15_000;
  do {
    const query: Record<string, string> = { ...options.query, limit: String(options.pageSize ?? 500) };
    if (continueToken) query.continue = continueToken;
    const page = await api.request<ListPage<R>>('GET', options.path, { query, timeoutMs: answerTimeoutMs * 2 });
    for (const raw of page.items ?? []) {
      const item = options.decode(raw);
      if (item !== undefined) items.push(item);
    }
    resourceVersion = page.metadata?.resourceVersion;
    continueToken = page.metadata?.continue || undefined;
    if (continueToken) options.onPage?.(items.length);
  } while (continueToken && !options.stopped?.());
  return { items, resourceVersion };
}

type WatchEnd = { kind: 'gone' } | { kind: 'closed'; normal: boolean } | { kind: 'failed'; error: unknown };

const EVENT_TYPES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

/** A watch that lasted this long (or half its requested timeout) and ended is the server's timeout, not a failure. */
const SHORTEST_NORMAL_WATCH_MS = 5_000;

export class ListWatch<R extends ListedObject, T> {
  private stopped = false;
  private started = false;
  private resourceVersion: string | undefined;
  private handle: WatchHandle | undefined;
  private wake: (() => void) | undefined;
  /** Set by retryNow() outside a wait: the next wait is skipped. */
  private retrySoon = false;
  private refreshSubscription: Disposable | undefined;
  private readonly backoff: Backoff;

  constructor(
    private readonly api: KubeApi,
    private readonly sink: ListWatchSink<T>,
    private readonly options: ListWatchOptions<R, T>,
  ) {
    this.backoff = options.backoff ?? new Backoff(250, 10_000);
    this.resourceVersion = options.resourceVersion || undefined;
  }

  /** The resourceVersion the next watch resumes from (undefined: it lists first). */
  get version(): string | undefined {
    return this.resourceVersion;
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.refreshSubscription = this.api.onDidRefresh?.(() => this.retryNow());
    void this.run();
  }

  /** Ends the loop: no more sink calls. */
  stop(): void {
    this.stopped = true;
    this.refreshSubscription?.dispose();
    this.handle?.abort();
    this.handle = undefined;
    this.wake?.();
  }

  /** Ends a backoff wait now (new credentials were read): the retry goes out at once. */
  retryNow(): void {
    if (this.wake) this.wake();
    else this.retrySoon = true;
  }

  private report(state: ListWatchState, error?: unknown, retryInMs?: number, listed?: number): void {
    if (this.stopped) return;
    const status: ListWatchStatus = { state };
    if (listed !== undefined) status.listed = listed;
    if (error !== undefined) status.error = toAppError(error, this.api.server);
    if (retryInMs !== undefined) status.retryInMs = retryInMs;
    this.sink.status?.(status);
  }

  private async run(): Promise<void> {
    if (this.resourceVersion === undefined) this.report('listing');
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
          // Our resourceVersion is older than etcd keeps: list again (replace drops the deleted).
          this.resourceVersion = undefined;
          this.report('listing');
          continue;
        }
        if (end.kind === 'closed' && end.normal) {
          this.backoff.reset();
          continue;
        }
        // Closed at once without an event (a server going down, a proxy that cuts streams): wait.
        await this.retryLater(
          end.kind === 'failed'
            ? end.error
            : new AppError('INTERNAL', `The API server closed the watch of ${this.options.path} at once, without an event.`, {
                server: this.api.server,
                status: 200,
              }),
        );
      } catch (error) {
        if (this.stopped) return;
        // A list's continue token expired (410): list again from the start.
        if (httpStatusOf(error) === 410) {
          this.resourceVersion = undefined;
          continue;
        }
        await this.retryLater(error);
      }
    }
  }

  private async retryLater(error: unknown): Promise<void> {
    const delay = this.backoff.next();
    this.report(httpStatusOf(error) === 403 ? 'forbidden' : 'retrying', error, delay);
    if (this.stopped) return;
    // New credentials arrived while this attempt failed: retry with them at once.
    if (this.retrySoon) this.retrySoon = false;
    else await this.sleep(delay);
    // The retry resumes from the last resourceVersion; only a 410 makes it list again.
    if (this.resourceVersion === undefined) this.report('listing');
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

  /** Lists the collection page by page and hands it to the sink; sets the resourceVersion to watch from. */
  private async list(): Promise<void> {
    const listed = await listCollection(this.api, {
      ...this.options,
      stopped: () => this.stopped,
      onPage: (count) => this.report('listing', undefined, undefined, count),
    });
    if (this.stopped) return;
    this.sink.replace(listed.items);
    this.resourceVersion = listed.resourceVersion ?? '0';
  }

  private watchOnce(resourceVersion: string): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      let sawEvents = false;
      const startedAt = Date.now();
      let settled = false;
      const finish = (end: WatchEnd) => {
        if (settled) return;
        settled = true;
        clearTimeout(answerTimer);
        this.handle?.abort();
        this.handle = undefined;
        resolve(end);
      };
      const onEvent = (event: WatchEvent<R>) => {
        if (settled || this.stopped) return;
        if (event.type === 'ERROR') {
          const status = (event.object ?? {}) as KubeStatus;
          const code = status.code ?? 500;
          finish(
            code === 410
              ? { kind: 'gone' }
              : { kind: 'failed', error: new KubeHttpError(code, { ...status, message: status.message ?? 'watch error' }) },
          );
          return;
        }
        // Only the server's event types count: a line that is none (a proxy's page) is no event.
        if (!EVENT_TYPES.has(event.type)) return;
        const version = event.object.metadata?.resourceVersion;
        if (version) this.resourceVersion = version;
        sawEvents = true;
        if (event.type === 'BOOKMARK') return;
        const item = this.options.decode(event.object);
        if (item === undefined) return;
        if (event.type === 'DELETED') this.sink.remove(item);
        else this.sink.upsert(item);
      };
      const timeoutSeconds = Math.round((this.options.watchTimeoutSeconds ?? 300) * (0.9 + Math.random() * 0.2));
      const done = (error: unknown) => {
        if (error === null || error === undefined) {
          const lasted = Date.now() - startedAt >= Math.min(SHORTEST_NORMAL_WATCH_MS, (timeoutSeconds * 1000) / 2);
          finish({ kind: 'closed', normal: sawEvents || lasted });
        } else finish(httpStatusOf(error) === 410 ? { kind: 'gone' } : { kind: 'failed', error });
      };
      const query: Record<string, string> = {
        ...this.options.query,
        resourceVersion,
        allowWatchBookmarks: String(this.options.bookmarks ?? true),
        timeoutSeconds: String(timeoutSeconds),
      };
      // A server that is still starting can accept the connection and not answer: give up after a while.
      const answerTimeoutMs = this.options.answerTimeoutMs ?? 15_000;
      const answerTimer = setTimeout(
        () =>
          finish({
            kind: 'failed',
            error: new AppError(
              'TIMEOUT',
              `The API server did not answer the watch of ${this.options.path} within ${answerTimeoutMs} ms.`,
              {
                server: this.api.server,
              },
            ),
          }),
        answerTimeoutMs,
      );
      this.api.watch<WatchEvent<R>>(this.options.path, query, onEvent, done).then(
        (handle) => {
          if (settled || this.stopped) {
            handle.abort();
            return;
          }
          clearTimeout(answerTimer);
          // The server answered 200: the watch is established (again, after a retry).
          this.handle = handle;
          this.retrySoon = false;
          this.report('watching');
        },
        (error: unknown) => finish({ kind: 'failed', error }),
      );
    });
  }
}
