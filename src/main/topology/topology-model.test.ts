import { describe, expect, it } from 'vitest';
import type { TopologyObject } from '../../shared/contract/topology';
import { TopologyModel } from './topology-model';

const pod = (uid: string, phase = 'Running'): TopologyObject => ({
  kind: 'Pod',
  uid,
  name: uid,
  namespace: 'd',
  phase,
  ready: true,
  restarts: 0,
});

describe('TopologyModel', () => {
  it('sends only real changes: same resourceVersion is skipped, the last write per uid wins', () => {
    let pendingCalls = 0;
    const model = new TopologyModel(() => (pendingCalls += 1));
    model.upsert({ uid: 'a', resourceVersion: '1', object: pod('a', 'Pending') });
    model.upsert({ uid: 'a', resourceVersion: '2', object: pod('a') });
    model.upsert({ uid: 'a', resourceVersion: '2', object: pod('a') });
    expect(pendingCalls).toBe(1);
    expect(model.takeChanges()).toEqual({ upserts: [pod('a')], deletes: [] });
    expect(model.takeChanges()).toBeUndefined();
  });

  it('a relist is a diff: unchanged objects are not sent, missing ones are deleted', () => {
    const model = new TopologyModel();
    model.replace('Pod', [
      { uid: 'a', resourceVersion: '1', object: pod('a') },
      { uid: 'b', resourceVersion: '1', object: pod('b') },
    ]);
    model.takeChanges();
    model.replace('Pod', [
      { uid: 'a', resourceVersion: '1', object: pod('a') },
      { uid: 'c', resourceVersion: '5', object: pod('c') },
    ]);
    expect(model.takeChanges()).toEqual({ upserts: [pod('c')], deletes: ['b'] });
    expect(model.countOf('Pod')).toBe(2);
  });

  it('sends nothing when a new resourceVersion changes nothing the map shows (a node heartbeat)', () => {
    const model = new TopologyModel();
    model.upsert({ uid: 'a', resourceVersion: '1', object: pod('a') });
    model.takeChanges();
    model.upsert({ uid: 'a', resourceVersion: '2', object: pod('a') });
    expect(model.takeChanges()).toBeUndefined();
  });

  it('forgets a deletion of an object it never had', () => {
    const model = new TopologyModel();
    model.remove('Pod', 'ghost');
    expect(model.takeChanges()).toBeUndefined();
  });
});
