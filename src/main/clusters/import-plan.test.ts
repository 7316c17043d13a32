import { describe, expect, it } from 'vitest';
import type { ClashResolution } from '../../shared/contract/clusters';
import { planImport, type Namespace } from './import-plan';
import type { ResolvedKubeconfig } from './kubeconfig-model';

const empty = (): Namespace => ({ clusters: new Map(), users: new Map(), contexts: new Map() });

function file(
  source: string,
  server: string,
  token: string,
  names = { cluster: 'c', user: 'u', context: 'x' },
  current?: string,
): ResolvedKubeconfig {
  return {
    source,
    clusters: [[names.cluster, { server, insecureSkipTlsVerify: false }]],
    users: [[names.user, { token }]],
    contexts: [[names.context, { cluster: names.cluster, user: names.user }]],
    notices: [],
    ...(current === undefined ? {} : { currentContext: current }),
  };
}

describe('planImport', () => {
  it('imports into an empty store and takes current-context from the first file that sets it', () => {
    const plan = planImport(
      empty(),
      [
        file('a', 'https://a', 't', { cluster: 'ca', user: 'ua', context: 'a' }),
        file('b', 'https://b', 't', { cluster: 'cb', user: 'ub', context: 'b' }, 'b'),
      ],
      [],
    );
    expect(plan).toMatchObject({ imported: ['a', 'b'], clashes: [], problems: [], currentContext: 'b' });
  });

  it('treats identical entries across files as one, and different ones as clashes (nothing silently dropped)', () => {
    expect(planImport(empty(), [file('a', 'https://a', 't'), file('b', 'https://a', 't')], []).clashes).toEqual([]);
    const plan = planImport(empty(), [file('a', 'https://a', 't'), file('b', 'https://b', 'other')], []);
    expect(plan.clashes).toEqual([
      { kind: 'cluster', name: 'c', incomingSource: 'b', existingSource: 'a' },
      { kind: 'user', name: 'u', incomingSource: 'b', existingSource: 'a' },
    ]);
  });

  it('applies keep-existing (kubectl: first wins), replace and rename', () => {
    const files = [file('a', 'https://a', 't'), file('b', 'https://b', 'other')];
    const keep: ClashResolution[] = [
      { kind: 'cluster', name: 'c', action: 'keep-existing' },
      { kind: 'user', name: 'u', action: 'keep-existing' },
    ];
    const kept = planImport(empty(), files, keep);
    expect(kept.next.clusters.get('c')?.entry.server).toBe('https://a');
    expect(kept.notices).toHaveLength(2);

    const replaced = planImport(empty(), files, [
      { kind: 'cluster', name: 'c', action: 'replace' },
      { kind: 'user', name: 'u', action: 'replace' },
    ]);
    expect(replaced.next.clusters.get('c')?.entry.server).toBe('https://b');

    const renamed = planImport(empty(), files, [
      { kind: 'cluster', name: 'c', action: 'rename', newName: 'c-b' },
      { kind: 'user', name: 'u', action: 'rename', newName: 'u-b' },
      { kind: 'context', name: 'x', action: 'rename', newName: 'x-b' },
    ]);
    expect(renamed.imported).toEqual(['x', 'x-b']);
    expect(renamed.next.contexts.get('x-b')?.entry).toEqual({ cluster: 'c-b', user: 'u-b' });
    expect(renamed.next.contexts.get('x')?.entry).toEqual({ cluster: 'c', user: 'u' });
  });

  it('refuses a rename onto another taken name and lists every dangling reference', () => {
    const store = empty();
    store.clusters.set('taken', { source: 'store', entry: { server: 'https://t', insecureSkipTlsVerify: false } });
    store.contexts.set('t', { source: 'store', entry: { cluster: 'taken', user: '' } });
    store.clusters.set('c', { source: 'store', entry: { server: 'https://old', insecureSkipTlsVerify: false } });
    store.contexts.set('old', { source: 'store', entry: { cluster: 'c', user: '' } });
    const plan = planImport(store, [file('a', 'https://a', 't')], [{ kind: 'cluster', name: 'c', action: 'rename', newName: 'taken' }]);
    expect(plan.problems.map((problem) => problem.message)).toEqual(['Cannot rename cluster "c" to "taken": that name is taken too.']);
  });
});
