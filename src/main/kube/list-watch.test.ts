import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import { Backoff } from '../platform/backoff';
import type { KubeApi, WatchEvent } from './kube-api';
import { KubeHttpError } from './kube-errors';
import { listCollection, ListWatch, type ListWatchStatus } from './list-watch';

interface Obj {
  metadata: { name: string; resourceVersion: string };
}

interface OpenWatch {
  query: Record<string, string>;
  onEvent: (event: WatchEvent<Obj>) => void;
  done: (error: unknown) => void;
  aborted: boolean;
}

const obj = (name: string, resourceVersion: string): Obj => ({ metadata: { name, resourceVersion } });

/** An API server in memory: lists answer `objects` at `version`, watches stay open until the test ends them. */
class FakeServer {
  objects: Obj[] = [];
  version = '10';
  lists: Record<string, string>[] = [];
  watches: OpenWatch[] = [];
  /** When set, the next list is refused with it. */
  listError: Error | undefined;
  readonly refresh = new Emitter<void>();

  readonly api: KubeApi = {
    server: 'https://127.0.0.1:6443',
    onDidRefresh: this.refresh.event,
    request: <T>(_method: string, _path: string, options?: { query?: Record<string, string> }) => {
      this.lists.push(options?.query ?? {});
      if (this.listError) {
        const error = this.listError;
        this.listError = undefined;
        return Promise.reject(error);
      }
      const limit = Number(options?.query?.limit ?? 500);
      const from = Number(options?.query?.continue ?? 0);
      const items = this.objects.slice(from, from + limit);
      const next = from + limit < this.objects.length ? String(from + limit) : '';
      return Promise.resolve({ items, metadata: { resourceVersion: this.version, continue: next } } as T);
    },
    getJson: () => Promise.reject(new Error('not used')),
    openStream: () => Promise.reject(new Error('not used')),
    watch: <E>(_path: string, query: Record<string, string>, onEvent: (event: E) => void, done: (error: unknown) => void) => {
      const watch: OpenWatch = { query, onEvent: onEvent as (event: WatchEvent<Obj>) => void, done, aborted: false };
      this.watches.push(watch);
      return Promise.resolve({ abort: () => (watch.aborted = true) });
    },
  };

  get last(): OpenWatch {
    const watch = this.watches.at(-1);
    if (!watch) throw new Error('no watch yet');
    return watch;
  }
}

/** A sink that keeps the collection by name, as a model would. */
class Store {
  readonly items = new Map<string, Obj>();
  readonly states: ListWatchStatus[] = [];
  replaced = 0;
  replace(items: Obj[]): void {
    this.replaced += 1;
    this.items.clear();
    for (const item of items) this.items.set(item.metadata.name, item);
  }
  upsert(item: Obj): void {
    this.items.set(item.metadata.name, item);
  }
  remove(item: Obj): void {
    this.items.delete(item.metadata.name);
  }
  status(status: ListWatchStatus): void {
    this.states.push(status);
  }
  get names(): string[] {
    return [...this.items.keys()].sort();
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await tick();
  if (!check()) throw new Error('condition not met');
}

function start(server: FakeServer, store: Store, options: Partial<ConstructorParameters<typeof ListWatch<Obj, Obj>>[2]> = {}) {
  const loop = new ListWatch<Obj, Obj>(server.api, store, {
    path: '/api/v1/services',
    decode: (raw) => raw,
    pageSize: 2,
    backoff: new Backoff(5, 20, () => 0),
    ...options,
  });
  loop.start();
  return loop;
}

describe('ListWatch', () => {
  it('lists page by page, then watches from the list version with bookmarks and the query', async () => {
    const server = new FakeServer();
    server.objects = [obj('a', '1'), obj('b', '2'), obj('c', '3')];
    const store = new Store();
    const loop = start(server, store, { query: { labelSelector: 'app=web' } });
    await until(() => server.watches.length === 1);
    expect(server.lists).toEqual([
      { labelSelector: 'app=web', limit: '2' },
      { labelSelector: 'app=web', limit: '2', continue: '2' },
    ]);
    expect(store.names).toEqual(['a', 'b', 'c']);
    expect(server.last.query).toMatchObject({ labelSelector: 'app=web', resourceVersion: '10', allowWatchBookmarks: 'true' });
    // The first page's objects are said while the second is read; the last page ends the list.
    expect(store.states.map((s) => [s.state, s.listed])).toEqual([
      ['listing', undefined],
      ['listing', 2],
      ['watching', undefined],
    ]);

    server.last.onEvent({ type: 'ADDED', object: obj('d', '11') });
    server.last.onEvent({ type: 'DELETED', object: obj('a', '12') });
    server.last.onEvent({ type: 'BOOKMARK', object: obj('', '15') });
    expect(store.names).toEqual(['b', 'c', 'd']);
    expect(loop.version).toBe('15');
    loop.stop();
  });

  it('resumes from the last version it saw after the server ends a watch, without listing', async () => {
    const server = new FakeServer();
    const store = new Store();
    const loop = start(server, store);
    await until(() => server.watches.length === 1);
    server.last.onEvent({ type: 'MODIFIED', object: obj('a', '17') });
    server.last.done(null);
    await until(() => server.watches.length === 2);
    expect(server.last.query.resourceVersion).toBe('17');
    expect(server.lists).toHaveLength(1);
    loop.stop();
  });

  it('lists again after a 410 Gone and drops what was deleted meanwhile: no ghosts', async () => {
    const server = new FakeServer();
    server.objects = [obj('a', '1'), obj('b', '2'), obj('c', '3')];
    const store = new Store();
    const loop = start(server, store);
    await until(() => server.watches.length === 1);
    // Deleted while the watch could not see it; then the old version is compacted away.
    server.objects = [obj('c', '3'), obj('e', '30')];
    server.version = '31';
    server.last.onEvent({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } as unknown as Obj });
    await until(() => server.watches.length === 2);
    expect(server.watches[0]!.aborted).toBe(true);
    expect(store.names).toEqual(['c', 'e']);
    expect(server.last.query.resourceVersion).toBe('31');
    // The second list is one page (two objects): no count before it ends.
    expect(store.states.map((s) => s.state)).toEqual(['listing', 'listing', 'watching', 'listing', 'watching']);

    // A 410 as the answer to the watch request does the same.
    server.objects = [obj('e', '30')];
    server.version = '40';
    server.last.done(new KubeHttpError(410, { message: 'too old resource version', code: 410 }));
    await until(() => server.watches.length === 3);
    expect(store.names).toEqual(['e']);
    expect(store.replaced).toBe(3);
    loop.stop();
  });

  it('waits a backoff after a failure and resumes from its version; a watch closed at once without an event waits too', async () => {
    const server = new FakeServer();
    const store = new Store();
    const loop = start(server, store, { backoff: new Backoff(40, 40, () => 1) });
    await until(() => server.watches.length === 1);
    server.last.onEvent({ type: 'ADDED', object: obj('a', '12') });
    server.last.done(new KubeHttpError(500, { message: 'etcd is down', code: 500 }));
    await tick();
    const retrying = store.states.at(-1);
    expect(retrying?.state).toBe('retrying');
    expect(retrying?.error?.message).toContain('etcd is down');
    expect(retrying?.retryInMs).toBe(40);
    expect(server.watches).toHaveLength(1);
    await until(() => server.watches.length === 2);
    expect(server.last.query.resourceVersion).toBe('12');

    // Answered, then closed at once with no event (a line that is no event does not count):
    // not a loop as fast as the server answers.
    server.last.onEvent({ kind: 'Status', code: 200 } as unknown as WatchEvent<Obj>);
    server.last.done(null);
    await tick();
    await tick();
    expect(server.watches).toHaveLength(2);
    expect(store.states.at(-1)?.error?.code).toBe('INTERNAL');
    await until(() => server.watches.length === 3);
    expect(server.lists).toHaveLength(1);
    expect(store.names).toEqual(['a']);
    loop.stop();
  });

  it('says forbidden for a 403 and retries at once when new credentials are read', async () => {
    const server = new FakeServer();
    const store = new Store();
    server.listError = new KubeHttpError(403, { message: 'services is forbidden', code: 403 });
    const loop = start(server, store, { backoff: new Backoff(60_000, 60_000) });
    await until(() => store.states.length === 2);
    expect(store.states[1]?.state).toBe('forbidden');
    expect(store.states[1]?.error).toBeInstanceOf(AppError);
    server.refresh.fire();
    await until(() => server.watches.length === 1);
    expect(server.lists).toHaveLength(2);
    loop.stop();
  });

  it('starts from a version the caller listed at, and stops for good', async () => {
    const server = new FakeServer();
    const store = new Store();
    const loop = start(server, store, { resourceVersion: '7' });
    await until(() => server.watches.length === 1);
    expect(server.lists).toHaveLength(0);
    expect(server.last.query.resourceVersion).toBe('7');
    loop.stop();
    expect(server.last.aborted).toBe(true);
    server.last.onEvent({ type: 'ADDED', object: obj('late', '8') });
    server.last.done(null);
    await tick();
    expect(store.names).toEqual([]);
    expect(server.watches).toHaveLength(1);
  });

  it('gives up on a watch the server accepted but never answered', async () => {
    const server = new FakeServer();
    const store = new Store();
    server.api.watch = () => new Promise(() => undefined);
    const loop = start(server, store, { answerTimeoutMs: 20, resourceVersion: '7' });
    await until(() => store.states.some((s) => s.state === 'retrying'));
    expect(store.states.find((s) => s.state === 'retrying')?.error?.code).toBe('TIMEOUT');
    loop.stop();
  });
});

describe('listCollection', () => {
  it('lists a collection once, page by page, decoding (and skipping) objects as their page arrives', async () => {
    const server = new FakeServer();
    server.objects = [obj('a', '1'), obj('skip', '2'), obj('b', '3'), obj('c', '4'), obj('d', '5')];
    const listed = await listCollection(server.api, {
      path: '/api/v1/pods',
      query: { labelSelector: 'app=web' },
      pageSize: 2,
      decode: (raw: Obj) => (raw.metadata.name === 'skip' ? undefined : raw.metadata.name.toUpperCase()),
    });
    expect(listed).toEqual({ items: ['A', 'B', 'C', 'D'], resourceVersion: '10' });
    expect(server.lists).toEqual([
      { labelSelector: 'app=web', limit: '2' },
      { labelSelector: 'app=web', limit: '2', continue: '2' },
      { labelSelector: 'app=web', limit: '2', continue: '4' },
    ]);
    expect(server.watches).toEqual([]);
  });

  it('rejects with the failure of a page, e.g. a continue token that expired (410)', async () => {
    const server = new FakeServer();
    server.objects = [obj('a', '1')];
    server.listError = new KubeHttpError(410, { message: 'The provided continue parameter is too old' });
    await expect(listCollection(server.api, { path: '/api/v1/pods', decode: (raw: Obj) => raw })).rejects.toMatchObject({
      statusCode: 410,
    });
  });
});
