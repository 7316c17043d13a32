import { describe, expect, it } from 'vitest';
import { filterObjects, namespacesOf } from './filter';
import { deployment, node, pod } from './fixtures.test-support';

const objects = [
  node('w1'),
  ...deployment('web', 1),
  pod('web-0', 'web', 'w1'),
  ...deployment('db', 1, 'data'),
  pod('lonely', undefined, 'w1'),
];

describe('filterObjects', () => {
  it('keeps nodes and the chosen namespaces', () => {
    const { objects: kept } = filterObjects(objects, { namespaces: ['data'], search: '' });
    expect(kept.map((object) => object.name)).toEqual(['w1', 'db', 'db-abc']);
    expect(namespacesOf(objects)).toEqual(['data', 'default']);
  });

  it('a search keeps the matching workload with its ReplicaSet and pods', () => {
    const { objects: kept, matches } = filterObjects(objects, { namespaces: [], search: 'WEB' });
    expect(kept.map((object) => object.name).sort()).toEqual(['w1', 'web', 'web-0', 'web-abc']);
    expect(matches.has('d-web')).toBe(true);
  });
});
