import { describe, expect, it } from 'vitest';
import { budgetsCovering, podKey, selectorMatches, selectPodsToDrain } from './drain-pods';
import type { DrainPod } from './drain-pods';

const pod = (name: string, patch: Partial<DrainPod['metadata']> = {}, volumes?: { name: string; emptyDir?: object }[]): DrainPod => ({
  metadata: { name, namespace: 'default', ...patch },
  ...(volumes === undefined ? {} : { spec: { volumes } }),
});
const owned = (kind: string, name = 'owner') => ({ ownerReferences: [{ kind, name, controller: true }] });

describe('selectPodsToDrain', () => {
  it('leaves DaemonSet and mirror pods, evicts the rest, and names emptyDir volumes and pods without a controller', () => {
    const selection = selectPodsToDrain([
      pod('proxy', owned('DaemonSet', 'kube-proxy')),
      pod('etcd-cp1', { annotations: { 'kubernetes.io/config.mirror': 'abc' } }),
      pod('web', owned('ReplicaSet'), [{ name: 'cache', emptyDir: {} }, { name: 'config' }]),
      pod('db', owned('StatefulSet'), [{ name: 'data' }]),
      pod('bare'),
      // An owner that is not the controller does not make the pod managed.
      pod('adopted', { ownerReferences: [{ kind: 'ReplicaSet', name: 'x' }] }),
    ]);
    expect(selection.ignored.map(({ pod: p, reason }) => [p.metadata.name, reason])).toEqual([
      ['proxy', 'DaemonSet kube-proxy'],
      ['etcd-cp1', 'a static pod of the node (mirror pod)'],
    ]);
    expect(selection.evict.map(podKey)).toEqual(['default/web', 'default/db', 'default/bare', 'default/adopted']);
    expect(selection.emptyDir.map(({ pod: p, volumes }) => [p.metadata.name, volumes])).toEqual([['web', ['cache']]]);
    expect(selection.unmanaged.map((p) => p.metadata.name)).toEqual(['bare', 'adopted']);
  });
});

describe('PodDisruptionBudgets covering a pod', () => {
  it('matches matchLabels and every matchExpressions operator as the API server does', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'db' } }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels)).toBe(false);
    // policy/v1: an empty selector covers every pod of the namespace; no selector covers none.
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches(undefined, labels)).toBe(false);
  });

  it('names the budgets of the pod’s own namespace only', () => {
    const web = pod('web', { labels: { app: 'web' } });
    const budgets = [
      { metadata: { name: 'web-pdb', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } } } },
      { metadata: { name: 'other-ns', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } } } },
      { metadata: { name: 'db-pdb', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'db' } } } },
    ];
    expect(budgetsCovering(web, budgets)).toEqual(['web-pdb']);
  });
});
