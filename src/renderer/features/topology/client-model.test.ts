import { describe, expect, it } from 'vitest';
import type { TopologyObject } from '../../../shared/contract';
import { ClientModel } from './client-model';
import { node } from './fixtures.test-support';

describe('ClientModel', () => {
  it('applies deltas in order, ignores old ones and reports a gap', () => {
    const model = new ClientModel('lab');
    model.load([node('a')], 4);
    expect(model.apply({ context: 'lab', revision: 4, upserts: [node('x')], deletes: [] })).toBe('stale');
    expect(model.apply({ context: 'lab', revision: 5, upserts: [node('b')], deletes: ['n-a'] })).toBe('applied');
    expect([...model.objects.keys()]).toEqual(['n-b']);
    expect(model.apply({ context: 'lab', revision: 7, upserts: [], deletes: [] })).toBe('gap');
    expect(model.apply({ context: 'other', revision: 6, upserts: [node('c')], deletes: [] })).toBe('stale');
  });
});

describe('ClientModel changes', () => {
  it('hands over each changed object as it was at the last take and as it is now', () => {
    const model = new ClientModel('lab');
    model.load([node('a'), node('b')], 1);
    expect(model.takeChanges()).toEqual({ reloaded: true, changes: [] });
    const a = node('a', { ready: 'False' });
    model.apply({ context: 'lab', revision: 2, upserts: [a, node('c')], deletes: ['n-b'] });
    model.apply({ context: 'lab', revision: 3, upserts: [node('a', { ready: 'Unknown' })], deletes: [] });
    const { reloaded, changes } = model.takeChanges();
    expect(reloaded).toBe(false);
    const readiness = (object: TopologyObject | undefined) => (object?.kind === 'Node' ? object.ready : undefined);
    expect(changes.map(({ uid, before, after }) => [uid, readiness(before), readiness(after)])).toEqual([
      ['n-a', 'True', 'Unknown'],
      ['n-c', undefined, 'True'],
      ['n-b', 'True', undefined],
    ]);
    expect(model.takeChanges().changes).toEqual([]);
  });

  it('drops an object that came and went between two takes', () => {
    const model = new ClientModel('lab');
    model.load([], 1);
    model.takeChanges();
    model.apply({ context: 'lab', revision: 2, upserts: [node('x')], deletes: [] });
    model.apply({ context: 'lab', revision: 3, upserts: [], deletes: ['n-x'] });
    expect(model.takeChanges().changes).toEqual([]);
  });
});
