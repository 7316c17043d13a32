import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it, vi } from 'vitest';
import type { TopologyStatus } from '../../shared/contract/topology';
import { AppError } from '../../shared/errors';
import { Backoff } from '../platform/backoff';
import { ContextWatch } from '../topology/context-watch';
import type { KubeApi } from './kube-api';
import { KubeHttpError } from './kube-errors';
import { RefreshingKubeApi } from './refreshing-kube-api';

const TOKEN_A = 'token-a-0123456789';
const TOKEN_B = 'token-b-0123456789';
const TOKEN_C = 'token-c-0123456789';

function kubeConfig(token: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'lab', server: 'https://127.0.0.1:6443' }],
    users: [{ name: 'lab', token }],
    contexts: [{ name: 'lab', cluster: 'lab', user: 'lab' }],
    currentContext: 'lab',
  });
  return config;
}

interface OpenWatch {
  path: string;
  query: Record<string, string>;
  done: (error: unknown) => void;
}

/** An API server in memory that accepts the tokens in `valid`: every list is empty at version 5, watches stay open. */
class FakeServer {
  valid = new Set([TOKEN_A]);
  lists: string[] = [];
  open: OpenWatch[] = [];
  watches: OpenWatch[] = [];

  api(config: KubeConfig): KubeApi {
    const token = config.getCurrentUser()?.token ?? '';
    const refused = () => new KubeHttpError(401, { message: 'Unauthorized' });
    const getJson = <T>(path: string): Promise<T> => {
      if (!this.valid.has(token)) return Promise.reject(refused());
      if (path === '/apis') return Promise.resolve({ groups: [{ name: 'apps', versions: [{ version: 'v1' }] }] } as T);
      this.lists.push(path);
      return Promise.resolve({ items: [], metadata: { resourceVersion: '5' } } as T);
    };
    return {
      server: 'https://127.0.0.1:6443',
      request: <T>(_method: string, path: string) => getJson<T>(path),
      openStream: () => Promise.reject(new Error('not used')),
      getJson: <T>(path: string) => {
        if (!this.valid.has(token)) return Promise.reject(refused());
        if (path === '/apis') return Promise.resolve({ groups: [{ name: 'apps', versions: [{ version: 'v1' }] }] } as T);
        this.lists.push(path);
        return Promise.resolve({ items: [], metadata: { resourceVersion: '5' } } as T);
      },
      watch: <E>(path: string, query: Record<string, string>, _onEvent: (event: E) => void, done: (error: unknown) => void) => {
        const watch: OpenWatch = { path, query, done };
        this.watches.push(watch);
        const handle = { abort: () => (this.open = this.open.filter((candidate) => candidate !== watch)) };
        // As kube-api does for a non-200 answer: done first, then the handle.
        if (!this.valid.has(token)) done(refused());
        else this.open.push(watch);
        return Promise.resolve(handle);
      },
    };
  }

  /** An API server restart: every open watch is cut. */
  cutWatches(): void {
    for (const watch of this.open.splice(0)) watch.done(new Error('The watch stream was cut.'));
  }
}

function provider(initial: string) {
  const state = { token: initial, loads: 0, failure: undefined as AppError | undefined };
  const load = () => {
    state.loads += 1;
    return state.failure ? Promise.reject(state.failure) : Promise.resolve(kubeConfig(state.token));
  };
  return { state, load };
}

async function refusedError(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('RefreshingKubeApi', () => {
  it('reads the credentials again once for many 401s at once, and later requests use them', async () => {
    const server = new FakeServer();
    const { state, load } = provider(TOKEN_A);
    let reloads = 0;
    const reload = () => {
      reloads += 1;
      return load();
    };
    const api = await RefreshingKubeApi.create({ context: 'lab', load, reload, create: (config) => server.api(config) });
    server.valid = new Set([TOKEN_B]);
    state.token = TOKEN_B;

    const errors = await Promise.all(Array.from({ length: 12 }, (_, index) => refusedError(api.getJson(`/api/v1/kind-${index}`))));
    expect(state.loads).toBe(2);
    expect(reloads).toBe(1);
    expect(api.refreshCount).toBe(1);
    for (const error of errors) {
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.message).toContain('refused the credentials of context "lab" (Unauthorized)');
      expect(error.message).toContain('Re-import the kubeconfig of "lab" in Clusters');
      expect(JSON.stringify(error.toJSON())).not.toContain('token-');
    }
    await expect(api.getJson('/api/v1/pods')).resolves.toMatchObject({ items: [] });
  });

  it('spaces refreshes by its backoff while the fresh credentials are refused too, and says so', async () => {
    const server = new FakeServer();
    const { state, load } = provider(TOKEN_A);
    let now = 0;
    const api = await RefreshingKubeApi.create({
      context: 'lab',
      load,
      create: (config) => server.api(config),
      backoff: new Backoff(1_000, 4_000, () => 1),
      now: () => now,
    });
    server.valid = new Set([TOKEN_B]);
    state.token = TOKEN_C;

    await refusedError(api.getJson('/api/v1/pods'));
    expect(state.loads).toBe(2);
    // Refused again within the first step (1 s): no new read.
    now = 999;
    const again = await refusedError(api.getJson('/api/v1/pods'));
    expect(state.loads).toBe(2);
    expect(again.message).toContain('also after reading them again from Clusters');
    expect(again.message).toContain('Nestlab keeps retrying');
    now = 1_000;
    await refusedError(api.getJson('/api/v1/pods'));
    expect(state.loads).toBe(3);
    // The step doubled: 2 s after the last read.
    now = 2_999;
    await refusedError(api.getJson('/api/v1/pods'));
    expect(state.loads).toBe(3);

    // A re-import: the next read (at the step) finds working credentials, and success resets the spacing.
    state.token = TOKEN_B;
    now = 3_000;
    await refusedError(api.getJson('/api/v1/pods'));
    expect(state.loads).toBe(4);
    await api.getJson('/api/v1/pods');
    server.valid = new Set([TOKEN_A]);
    state.token = TOKEN_A;
    await refusedError(api.getJson('/api/v1/pods'));
    expect(state.loads).toBe(5);
  });

  it("names the provider's problem when reading the credentials again fails", async () => {
    const server = new FakeServer();
    const { state, load } = provider(TOKEN_A);
    let now = 0;
    const api = await RefreshingKubeApi.create({ context: 'lab', load, create: (config) => server.api(config), now: () => now });
    server.valid = new Set();
    state.failure = new AppError(
      'APPROVAL_REQUIRED',
      'Context "lab" gets its credentials from the command "aws". Approve it in the Clusters view first.',
    );
    await refusedError(api.getJson('/api/v1/pods'));
    now = 60_000;
    const error = await refusedError(api.getJson('/api/v1/pods'));
    expect(error.code).toBe('APPROVAL_REQUIRED');
    expect(error.message).toBe(
      'The API server refused the credentials of context "lab" (Unauthorized), and reading them again failed: Context "lab" gets its credentials from the command "aws". Approve it in the Clusters view first.',
    );
    expect(error.details).toMatchObject({ context: 'lab' });
  });

  it('reports a refused watch to its callback before the handle arrives, and refreshes', async () => {
    const server = new FakeServer();
    const { state, load } = provider(TOKEN_A);
    const api = await RefreshingKubeApi.create({ context: 'lab', load, create: (config) => server.api(config) });
    server.valid = new Set([TOKEN_B]);
    state.token = TOKEN_B;
    const order: string[] = [];
    let reported: unknown;
    const refreshed = new Promise<void>((resolve) => api.onDidRefresh(resolve));
    await api.watch(
      '/api/v1/pods',
      {},
      () => {},
      (error) => {
        order.push('done');
        reported = error;
      },
    );
    order.push('handle');
    expect(order).toEqual(['done', 'handle']);
    expect((reported as AppError).code).toBe('UNAUTHORIZED');
    await refreshed;
    expect(state.loads).toBe(2);
  });
});

describe('ContextWatch with credentials read again after a 401', () => {
  async function start(server: FakeServer, load: () => Promise<KubeConfig>) {
    const api = await RefreshingKubeApi.create({ context: 'lab', load, create: (config) => server.api(config) });
    const statuses: TopologyStatus[] = [];
    const watch = new ContextWatch(
      'lab',
      api,
      () => {},
      (status) => statuses.push(status),
    );
    api.onDidRefresh(() => watch.retryNow());
    watch.start();
    await vi.waitFor(() => expect(watch.status().state).toBe('ready'));
    return { api, watch, statuses };
  }

  it('continues every kind with the new credentials from its last resourceVersion, after one refresh', async () => {
    const server = new FakeServer();
    const { state, load } = provider(TOKEN_A);
    const { api, watch } = await start(server, load);
    const kinds = watch.status().kinds.length;
    expect(kinds).toBeGreaterThanOrEqual(7);
    const listsBefore = server.lists.length;
    server.watches = [];

    // Token A revoked, B issued and imported; the API server restarts.
    server.valid = new Set([TOKEN_B]);
    state.token = TOKEN_B;
    server.cutWatches();
    await vi.waitFor(() => expect(server.open).toHaveLength(kinds), { timeout: 5_000 });
    await vi.waitFor(() => expect(watch.status().state).toBe('ready'));
    expect(api.refreshCount).toBe(1);
    expect(state.loads).toBe(2);
    // Resumed, not relisted.
    expect(server.lists.length).toBe(listsBefore);
    expect(server.open.every((open) => open.query.resourceVersion === '5')).toBe(true);
    watch.stop();
  });

  it('stays degraded with one error naming the context and the fix while the fresh credentials are refused', async () => {
    const server = new FakeServer();
    const { state, load } = provider(TOKEN_A);
    const { watch, statuses } = await start(server, load);
    server.valid = new Set([TOKEN_B]);
    state.token = TOKEN_C;
    server.cutWatches();
    await vi.waitFor(() => expect(watch.status().error?.message).toContain('also after reading them again'), { timeout: 5_000 });
    const status = watch.status();
    expect(status.state).toBe('degraded');
    expect(status.error).toMatchObject({ code: 'UNAUTHORIZED', details: { context: 'lab' } });
    expect(status.error?.message).toContain('Re-import the kubeconfig of "lab" in Clusters');
    // One read for the 401s of every kind, not one each.
    expect(state.loads).toBe(2);
    expect(JSON.stringify(statuses)).not.toContain('token-');

    // The user re-imports: the next spaced read finds B and every kind is watched again.
    state.token = TOKEN_B;
    await vi.waitFor(() => expect(watch.status().state).toBe('ready'), { timeout: 8_000 });
    expect(watch.status().error).toBeUndefined();
    watch.stop();
  });
});
