import { describe, expect, it } from 'vitest';
import type { PodSummary } from '../../../shared/contract';
import { applyPodChange } from './pod-list-change';

const pod = (name: string, phase = 'Running', namespace = 'shop'): PodSummary => ({
  name,
  namespace,
  phase,
  readyContainers: 1,
  totalContainers: 1,
  restarts: 0,
  containers: ['app'],
  ports: [],
});

describe('applyPodChange', () => {
  it('changes rows in place, adds new ones, drops removed ones, and keeps the other rows as they were', () => {
    const rows = [pod('a'), pod('b'), pod('c'), pod('a', 'Running', 'other')];
    const next = applyPodChange(rows, {
      followId: 'f',
      upserted: [pod('b', 'Failed'), pod('d', 'Pending')],
      removed: ['shop/c', 'shop/gone'],
    });
    expect(next.map((row) => `${row.namespace}/${row.name} ${row.phase}`)).toEqual([
      'shop/a Running',
      'shop/b Failed',
      'other/a Running',
      'shop/d Pending',
    ]);
    expect(next[0]).toBe(rows[0]);
    expect(rows).toHaveLength(4);
  });

  it('takes the whole list when it came again, and keeps the same rows for an empty change', () => {
    const rows = [pod('a')];
    expect(applyPodChange(rows, { followId: 'f', pods: [pod('z')], upserted: [], removed: [] }).map((row) => row.name)).toEqual(['z']);
    expect(applyPodChange(rows, { followId: 'f', upserted: [], removed: [], error: { code: 'UNREACHABLE', message: 'down' } })).toBe(rows);
  });
});
