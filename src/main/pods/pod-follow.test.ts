import { describe, expect, it } from 'vitest';
import type { PodListChange } from '../../shared/contract/pods';
import type { KubeApi, WatchEvent } from '../kube/kube-api';
import { KubeHttpError } from '../kube/kube-errors';
import type { RawPod } from '../kube/raw-types';
import { PodFollow } from './pod-follow';

const pod = (name: string, resourceVersion: string, phase = 'Running'): RawPod => ({
  metadata: { name, namespace: 'shop', resourceVersion, creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { containers: [{ name: 'app' }] },
  status: { phase },
});

/** An API server in memory: lists answer `pods`, the watch stays open for the test to feed. */
function fakeApi() {
  const state = {
    pods: [] as RawPod[],
    lists: 0,
    watches: [] as { query: Record<string, string>; onEvent: (event: WatchEvent<RawPod>) => void; done: (error: unknown) => void }[],
  };
  const api: KubeApi = {
    server: 'https://127.0.0.1:6443',
    request: <T>() => {
      state.lists += 1;
      return Promise.resolve({ items: state.pods, metadata: { resourceVersion: '50' } } as T);
    },
    getJson: () => Promise.reject(new Error('not used')),
    openStream: () => Promise.reject(new Error('not used')),
    watch: <E>(_path: string, query: Record<string, string>, onEvent: (event: E) => void, done: (error: unknown) => void) => {
      state.watches.push({ query, onEvent: onEvent as (event: WatchEvent<RawPod>) => void, done });
      return Promise.resolve({ abort: () => undefined });
    },
  };
  return { api, state };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i += 1) await new Promise((resolve) => setTimeout(resolve, 2));
  if (!check()) throw new Error('condition not met');
}

function follow(api: KubeApi, flushMs = 20) {
  const changes: PodListChange[] = [];
  const followed = new PodFollow('f1', {
    api,
    path: '/api/v1/namespaces/shop/pods',
    query: {},
    resourceVersion: '10',
    emit: (change) => changes.push(change),
    flushMs,
  });
  followed.start();
  return { followed, changes };
}

describe('PodFollow', () => {
  it('watches from the list version and sends the changes of a moment as one change, a pod changed twice as one row', async () => {
    const { api, state } = fakeApi();
    const { followed, changes } = follow(api);
    await until(() => state.watches.length === 1);
    expect(state.lists).toBe(0);
    expect(state.watches[0]!.query.resourceVersion).toBe('10');
    const watch = state.watches[0]!;
    watch.onEvent({ type: 'ADDED', object: pod('web-1', '11', 'Pending') });
    watch.onEvent({ type: 'MODIFIED', object: pod('web-1', '12', 'Running') });
    watch.onEvent({ type: 'ADDED', object: pod('web-2', '13') });
    watch.onEvent({ type: 'DELETED', object: pod('web-2', '14') });
    watch.onEvent({ type: 'DELETED', object: pod('old', '15') });
    await until(() => changes.length === 1);
    expect(changes[0]).toEqual({
      followId: 'f1',
      upserted: [expect.objectContaining({ name: 'web-1', phase: 'Running' })],
      removed: ['shop/web-2', 'shop/old'],
    });
    followed.stop();
  });

  it('sends the whole list again after a relist (410 Gone), and says while the watch retries', async () => {
    const { api, state } = fakeApi();
    state.pods = [pod('b', '3'), pod('a', '2')];
    const { followed, changes } = follow(api);
    await until(() => state.watches.length === 1);
    state.watches[0]!.onEvent({ type: 'ERROR', object: { metadata: {}, code: 410 } as RawPod });
    await until(() => changes.length === 1);
    expect(state.lists).toBe(1);
    expect(changes[0]!.pods?.map((row) => row.name)).toEqual(['a', 'b']);
    expect(changes[0]!.error).toBeUndefined();

    await until(() => state.watches.length === 2);
    state.watches[1]!.done(new KubeHttpError(500, { message: 'etcd is down' }));
    await until(() => changes.length === 2);
    expect(changes[1]).toMatchObject({ upserted: [], removed: [], error: { code: expect.any(String) } });
    followed.stop();
  });

  it('sends nothing after stop', async () => {
    const { api, state } = fakeApi();
    const { followed, changes } = follow(api, 5);
    await until(() => state.watches.length === 1);
    state.watches[0]!.onEvent({ type: 'ADDED', object: pod('web-1', '11') });
    followed.stop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(changes).toEqual([]);
  });
});
