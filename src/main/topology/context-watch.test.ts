import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TopologyDelta, TopologyObject } from '../../shared/contract/topology';
import { ContextWatch } from './context-watch';
import type { KubeApi } from '../kube/kube-api';

const pod = (uid: string): TopologyObject => ({ kind: 'Pod', uid, name: uid, namespace: 'd', phase: 'Running', ready: true, restarts: 0 });

/** Never started: the test feeds the model directly, as the kind watchers would. */
const idleApi: KubeApi = {
  server: 'https://127.0.0.1:6443',
  request: () => Promise.reject(new Error('not used')),
  openStream: () => Promise.reject(new Error('not used')),
  getJson: () => Promise.reject(new Error('not used')),
  watch: () => Promise.reject(new Error('not used')),
};

describe('ContextWatch batching', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('sends a change after a quiet spell at once, and one delta per window during a burst', () => {
    const deltas: TopologyDelta[] = [];
    const watch = new ContextWatch(
      'lab',
      idleApi,
      (delta) => deltas.push(delta),
      () => {},
      { batchMs: 16 },
    );
    let version = 0;
    const change = (uid: string) => watch.model.upsert({ uid, resourceVersion: String((version += 1)), object: pod(uid) });

    change('a');
    change('b');
    vi.advanceTimersByTime(0);
    // Both arrived in the same tick: one delta, without waiting for the window.
    expect(deltas.map((delta) => delta.upserts.map((object) => object.uid))).toEqual([['a', 'b']]);

    vi.advanceTimersByTime(5);
    change('c');
    vi.advanceTimersByTime(10);
    expect(deltas).toHaveLength(1);
    vi.advanceTimersByTime(1);
    // 16 ms after the previous delta.
    expect(deltas.map((delta) => delta.revision)).toEqual([1, 2]);

    vi.advanceTimersByTime(100);
    change('d');
    vi.advanceTimersByTime(0);
    expect(deltas).toHaveLength(3);
    watch.stop();
  });
});
