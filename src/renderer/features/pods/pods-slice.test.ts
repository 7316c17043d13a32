/**
 * The pods slice through the real RPC client and dispatcher (in-memory transport), with a
 * scripted pods service standing in for the main process.
 */
import { describe, expect, it } from 'vitest';
import type { ForwardInfo, PodQuery, PodSummary } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { Emitter } from '../../../shared/event';
import { storeOver } from '../../store/store.test-support';

function pod(name: string, phase: string): PodSummary {
  return { name, namespace: 'shop', phase, readyContainers: 1, totalContainers: 1, restarts: 0, containers: ['app'], ports: [8080] };
}

function fakePods(pods: PodSummary[]) {
  const forwards = new Emitter<ForwardInfo[]>();
  const queries: PodQuery[] = [];
  const { store } = storeOver((services) => ({
    pods: {
      ...services.pods,
      listPods: (query) => {
        queries.push(query);
        return query.context === 'lab' ? Promise.resolve(pods) : Promise.reject(new AppError('NOT_FOUND', `No context ${query.context}.`));
      },
      listForwards: () => Promise.resolve([]),
      onDidChangeForwards: forwards.event,
    },
  }));
  return { store, forwards, queries };
}

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
