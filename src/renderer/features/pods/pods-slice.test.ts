/**
 * The pods slice through the real RPC client and dispatcher (in-memory transport), with a
 * scripted pods service standing in for the main process.
 */
import { describe, expect, it } from 'vitest';
import type { ForwardInfo, PodListChange, PodQuery, PodSummary } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { Emitter } from '../../../shared/event';
import { storeOver } from '../../store/store.test-support';

function pod(name: string, phase: string): PodSummary {
  return { name, namespace: 'shop', phase, readyContainers: 1, totalContainers: 1, restarts: 0, containers: ['app'], ports: [8080] };
}

function fakePods(pods: PodSummary[]) {
  const forwards = new Emitter<ForwardInfo[]>();
  const changes = new Emitter<PodListChange>();
  const queries: PodQuery[] = [];
  const unfollowed: string[] = [];
  const answer = (query: PodQuery) => {
    queries.push(query);
    return query.context === 'lab' ? Promise.resolve(pods) : Promise.reject(new AppError('NOT_FOUND', `No context ${query.context}.`));
  };
  const { store } = storeOver((services) => ({
    pods: {
      ...services.pods,
      listPods: answer,
      followPods: async (query) => ({ followId: `follow-${queries.length + 1}`, pods: await answer(query) }),
      unfollowPods: (followId) => {
        unfollowed.push(followId);
        return Promise.resolve();
      },
      listForwards: () => Promise.resolve([]),
      onDidChangeForwards: forwards.event,
      onDidChangePods: changes.event,
    },
  }));
  return { store, forwards, changes, queries, unfollowed };
}

/** Lets the in-memory transport deliver an event. */
const delivered = () => new Promise((resolve) => setTimeout(resolve, 0));

const forward: ForwardInfo = {
  id: 'f1',
  request: { context: 'lab', namespace: 'shop', kind: 'pod', name: 'web-a', remotePort: 8080 },
  localAddress: '127.0.0.1',
  localPort: 41000,
  url: 'http://127.0.0.1:41000/',
  via: 'api-server',
  pod: 'web-a',
  podPort: 8080,
  connections: 0,
};

describe('pods slice', () => {
  it('lists the pods of the chosen context and namespace, and keeps the last list when a reload fails', async () => {
    const { store, queries } = fakePods([pod('web-a', 'Running')]);
    store.getState().setPodsScope({ context: 'lab', namespace: 'shop' });
    await store.getState().loadPods();
    expect(queries).toEqual([{ context: 'lab', namespace: 'shop' }]);
    expect(store.getState().podList).toMatchObject({ state: 'loaded', pods: [{ name: 'web-a' }] });
    store.getState().setPodsScope({ namespace: '' });
    expect(store.getState().podList).toEqual({ state: 'idle' });
    await store.getState().loadPods();
    expect(queries.at(-1)).toEqual({ context: 'lab' });
    store.getState().setPodsScope({ context: 'gone' });
    await store.getState().loadPods();
    expect(store.getState().podList).toMatchObject({ state: 'failed', pods: [], error: { code: 'NOT_FOUND' } });
  });

  it('follows the list: changes of its follow apply, others are ignored, and a new scope or leaving the view stops it', async () => {
    const { store, changes, unfollowed } = fakePods([pod('web-a', 'Running'), pod('web-b', 'Running')]);
    store.getState().setPodsScope({ context: 'lab', namespace: 'shop' });
    await store.getState().loadPods();
    expect(store.getState().podList).toMatchObject({ state: 'loaded', followId: 'follow-1' });
    changes.fire({ followId: 'follow-1', upserted: [pod('web-b', 'Failed'), pod('web-c', 'Pending')], removed: ['shop/web-a'] });
    changes.fire({ followId: 'someone-else', upserted: [pod('web-x', 'Running')], removed: [] });
    await delivered();
    const list = store.getState().podList;
    expect(list.state === 'loaded' && list.pods.map((row) => `${row.name} ${row.phase}`)).toEqual(['web-b Failed', 'web-c Pending']);

    changes.fire({ followId: 'follow-1', upserted: [], removed: [], error: { code: 'UNREACHABLE', message: 'The API server went away.' } });
    await delivered();
    expect(store.getState().podList).toMatchObject({ followError: { code: 'UNREACHABLE' } });

    await store.getState().loadPods();
    expect(unfollowed).toEqual(['follow-1']);
    store.getState().setPodsScope({ namespace: 'other' });
    expect(unfollowed).toEqual(['follow-1', 'follow-2']);
    await store.getState().loadPods();
    store.getState().stopFollowingPods();
    expect(unfollowed).toEqual(['follow-1', 'follow-2', 'follow-3']);
    expect(store.getState().podList).toMatchObject({ state: 'loaded', pods: [{ name: 'web-a' }, { name: 'web-b' }] });
  });

  it('follows the forwards the main process reports once the view has loaded them', async () => {
    const { store, forwards } = fakePods([]);
    await store.getState().loadForwards();
    forwards.fire([forward]);
    expect(store.getState().forwards.map((f) => f.id)).toEqual(['f1']);
    forwards.fire([]);
    expect(store.getState().forwards).toEqual([]);
  });

  it('says a Deployment has no running pod to exec into, and opens no terminal', async () => {
    const { store, queries } = fakePods([pod('web-a', 'Pending')]);
    await store.getState().execInDeployment({ context: 'lab', namespace: 'shop', deployment: 'web' });
    expect(queries).toEqual([{ context: 'lab', namespace: 'shop', deployment: 'web' }]);
    expect(store.getState().podsError).toMatchObject({ code: 'NOT_FOUND' });
    expect(store.getState().terminals).toEqual([]);
  });
});
