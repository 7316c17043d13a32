import { describe, expect, it } from 'vitest';
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
