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
    expect(plan.clashes).toMatchObject([
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
    // Both kept: the context of b connects to a's server with a's credentials, as a defined them.
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

/** What a store holds after importing `source` alone (users bound to their file's servers). */
function stored(source: string, server: string, token: string, names: { cluster: string; user: string; context: string }): Namespace {
  const plan = planImport(empty(), [file(source, server, token, names)], []);
  expect(plan.unconfirmed).toEqual([]);
  return plan.next;
}

describe('planImport: credentials stay with the servers they were imported with', () => {
  const names = { cluster: 'lab-a', user: 'admin', context: 'a' };
  const otherNames = { cluster: 'lab-b', user: 'admin', context: 'b' };

  it('says which contexts and servers each choice of a user clash affects, and which send credentials elsewhere', () => {
    const store = stored('a.yaml', 'https://a:6443', 'CANARY-a', names);
    const plan = planImport(store, [file('b.yaml', 'https://b:6443', 'token-b', otherNames)], []);
    expect(plan.clashes).toEqual([
      {
        kind: 'user',
        name: 'admin',
        incomingSource: 'b.yaml',
        existingSource: 'a.yaml',
        effects: {
          // Replace: the existing context a would send b's token to a's server.
          replace: [
            { context: 'a', server: 'https://a:6443', user: 'admin', credentialsFrom: 'b.yaml', existing: true, otherServer: true },
          ],
          // Keep: the new context b would send a's token to b's server.
          'keep-existing': [
            { context: 'b', server: 'https://b:6443', user: 'admin', credentialsFrom: 'a.yaml', existing: false, otherServer: true },
          ],
        },
      },
    ]);
  });

  it('refuses keep-existing and replace that would send credentials to another server unless confirmed', () => {
    const store = stored('a.yaml', 'https://a:6443', 'CANARY-a', names);
    const incoming = [file('b.yaml', 'https://b:6443', 'token-b', otherNames)];
    const kept = planImport(store, incoming, [{ kind: 'user', name: 'admin', action: 'keep-existing' }]);
    expect(kept.clashes).toEqual([]);
    expect(kept.unconfirmed).toEqual([
      { context: 'b', server: 'https://b:6443', user: 'admin', credentialsFrom: 'a.yaml', existing: false, otherServer: true },
    ]);
    const replaced = planImport(store, incoming, [{ kind: 'user', name: 'admin', action: 'replace' }]);
    expect(replaced.unconfirmed.map((item) => [item.context, item.server, item.credentialsFrom])).toEqual([
      ['a', 'https://a:6443', 'b.yaml'],
    ]);

    const confirmed = planImport(store, incoming, [{ kind: 'user', name: 'admin', action: 'keep-existing', confirmOtherServer: true }]);
    expect(confirmed.unconfirmed).toEqual([]);
    expect(confirmed.next.users.get('admin')?.boundTo).toHaveLength(2);
    expect(confirmed.notices.join('\n')).toMatch(
      /Context "b" sends the credentials of user "admin" \(from a\.yaml\) to https:\/\/b:6443, as you confirmed/,
    );
  });

  it('treats a cluster clash the same way: replacing a cluster moves other contexts to its server', () => {
    const store = stored('a.yaml', 'https://a:6443', 'CANARY-a', { cluster: 'lab', user: 'alice', context: 'a' });
    const incoming = [file('b.yaml', 'https://b:6443', 'token-b', { cluster: 'lab', user: 'bob', context: 'b' })];
    const [clash] = planImport(store, incoming, []).clashes;
    expect(clash?.effects.replace).toEqual([
      { context: 'a', server: 'https://b:6443', user: 'alice', credentialsFrom: 'a.yaml', existing: true, otherServer: true },
    ]);
    expect(clash?.effects['keep-existing']).toEqual([
      { context: 'b', server: 'https://a:6443', user: 'bob', credentialsFrom: 'b.yaml', existing: false, otherServer: true },
    ]);
    expect(planImport(store, incoming, [{ kind: 'cluster', name: 'lab', action: 'replace' }]).unconfirmed).toHaveLength(1);
  });

  it('needs no confirmation where the server is the one the credentials came with, or for a rename', () => {
    const store = stored('a.yaml', 'https://a:6443', 'CANARY-a', names);
    const sameServer = [file('b.yaml', 'https://a:6443', 'token-b', otherNames)];
    const [clash] = planImport(store, sameServer, []).clashes;
    expect(clash?.effects.replace).toMatchObject([{ context: 'a', otherServer: false }]);
    expect(planImport(store, sameServer, [{ kind: 'user', name: 'admin', action: 'replace' }]).unconfirmed).toEqual([]);
    const renamed = planImport(
      store,
      [file('b.yaml', 'https://b:6443', 'token-b', otherNames)],
      [{ kind: 'user', name: 'admin', action: 'rename', newName: 'admin-b' }],
    );
    expect(renamed.unconfirmed).toEqual([]);
    expect(renamed.next.contexts.get('b')?.entry.user).toBe('admin-b');
  });

  it('refuses a file whose context points stored credentials at its own server by name', () => {
    const store = stored('a.yaml', 'https://a:6443', 'CANARY-a', names);
    const borrowing: ResolvedKubeconfig = {
      source: 'evil.yaml',
      clusters: [['evil', { server: 'https://evil:6443', insecureSkipTlsVerify: false }]],
      users: [],
      contexts: [['steal', { cluster: 'evil', user: 'admin' }]],
      notices: [],
    };
    const plan = planImport(store, [borrowing], []);
    expect(plan.clashes).toEqual([]);
    expect(plan.unconfirmed).toMatchObject([{ context: 'steal', server: 'https://evil:6443', credentialsFrom: 'a.yaml' }]);
  });

  it('counts another CA at the same URL as another server', () => {
    const store = stored('a.yaml', 'https://a:6443', 'CANARY-a', names);
    const mitm: ResolvedKubeconfig = {
      ...file('b.yaml', 'https://a:6443', 'CANARY-a', { cluster: 'lab-a', user: 'admin', context: 'a' }),
      clusters: [['lab-a', { server: 'https://a:6443', insecureSkipTlsVerify: true }]],
    };
    const [clash] = planImport(store, [mitm], []).clashes;
    expect(clash).toMatchObject({ kind: 'cluster', name: 'lab-a' });
    expect(clash?.effects.replace).toMatchObject([{ context: 'a', otherServer: true }]);
  });
});
