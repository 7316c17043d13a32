/**
 * The clusters slice through the real RPC client and dispatcher (in-memory transport), with a
 * scripted clusters service standing in for the main process.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterContext, ClustersState } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { Emitter } from '../../../shared/event';
import { storeOver } from '../../store/store.test-support';
import { ownEntry } from './clusters-slice';

describe('records keyed by context names', () => {
  it('find only their own entries, also for names of Object methods', () => {
    const nodes: Record<string, string> = { lab: 'loaded' };
    expect(ownEntry(nodes, 'lab')).toBe('loaded');
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(ownEntry(nodes, name)).toBeUndefined();
    const own = Object.defineProperty({}, '__proto__', { value: 'own', enumerable: true }) as Record<string, string>;
    expect(ownEntry(own, '__proto__')).toBe('own');
  });
});

function context(name: string): ClusterContext {
  return {
    name,
    clusterName: name,
    userName: name,
    server: `https://${name}.example:6443`,
    source: '/kube/config',
    importedAt: '2026-01-01T00:00:00Z',
    hasCertificateAuthority: true,
    insecureSkipTlsVerify: false,
    auth: { kind: 'token', hasToken: true, hasClientKey: false, hasPassword: false },
    externalFiles: [],
    externalFilesAllowed: false,
    health: { checking: false },
  };
}

function fakeClusters() {
  const changes = new Emitter<ClustersState>();
  let state: ClustersState = { contexts: [context('lab'), context('prod')], activeContext: 'lab' };
  /** setActive answers when the test says so, or refuses. */
  let answerSetActive: (() => void) | undefined;
  let refuseSetActive = false;
  const { store } = storeOver((services) => ({
    clusters: {
      ...services.clusters,
      list: () => Promise.resolve(state),
      setActive: (name) =>
        new Promise<ClustersState>((resolve, reject) => {
          answerSetActive = () => {
            if (refuseSetActive) reject(new AppError('NOT_FOUND', `There is no context ${name}.`));
            else resolve((state = { ...state, activeContext: name }));
          };
        }),
      importKubeconfig: (source, resolutions) => {
        if (source.kind !== 'text')
          return Promise.reject(
            new AppError('INVALID_INPUT', 'Not a kubeconfig.', { problems: [{ source: 'a', message: 'bad', line: 3 }] }),
          );
        if (resolutions.length === 0) {
          return Promise.resolve({
            status: 'needs-resolution',
            contexts: ['lab'],
            clashes: [
              {
                kind: 'context',
                name: 'lab',
                incomingSource: 'pasted',
                existingSource: 'store',
                effects: { replace: [], 'keep-existing': [] },
              },
            ],
          });
        }
        state = { ...state, contexts: [...state.contexts, context('lab-2')] };
        return Promise.resolve({ status: 'imported', imported: ['lab-2'], notices: [], state });
      },
      listNodes: (name) =>
        name === 'constructor'
          ? Promise.resolve([{ name: 'n1', ready: true, roles: ['worker'], os: 'linux', kubeletVersion: 'v1.20.2' }])
          : Promise.reject(new AppError('FORBIDDEN', 'nodes is forbidden')),
      onDidChange: changes.event,
    },
  }));
  return {
    store,
    changes,
    answerSetActive: () => answerSetActive?.(),
    refuseSetActive: () => (refuseSetActive = true),
  };
}

describe('clusters slice', () => {
  it('switches the active context at once, keeps it while other states arrive, and takes the answer', async () => {
    const fake = fakeClusters();
    await fake.store.getState().loadClusters();
    const switching = fake.store.getState().setActiveContext('prod');
    expect(fake.store.getState().clusters?.activeContext).toBe('prod');
    // A health update from before the switch must not flip the choice back.
    fake.changes.fire({ contexts: [context('lab'), context('prod')], activeContext: 'lab' });
    expect(fake.store.getState().clusters?.activeContext).toBe('prod');
    fake.answerSetActive();
    await switching;
    expect(fake.store.getState().clusters?.activeContext).toBe('prod');
    fake.changes.fire({ contexts: [context('lab')], activeContext: 'lab' });
    expect(fake.store.getState().clusters).toEqual({ contexts: [context('lab')], activeContext: 'lab' });
  });

  it('puts the previous context back and names the refusal when the switch fails', async () => {
    const fake = fakeClusters();
    await fake.store.getState().loadClusters();
    fake.refuseSetActive();
    const switching = fake.store.getState().setActiveContext('prod');
    fake.answerSetActive();
    await switching;
    expect(fake.store.getState().clusters?.activeContext).toBe('lab');
    expect(fake.store.getState().clustersError).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('asks for clash choices, carries them into the next import, and shows the problems of a refused file', async () => {
    const { store } = fakeClusters();
    const source = { kind: 'text', text: 'apiVersion: v1', label: 'pasted' } as const;
    await store.getState().importKubeconfig(source);
    expect(store.getState().importStatus).toMatchObject({ phase: 'clashes', resolved: [], clashes: [{ name: 'lab' }] });
    const rename = [{ kind: 'context', name: 'lab', action: 'rename', newName: 'lab-2' }] as const;
    await store.getState().importKubeconfig(source, [...rename]);
    expect(store.getState().importStatus).toEqual({ phase: 'done', imported: ['lab-2'], notices: [] });
    expect(store.getState().clusters?.contexts.map((entry) => entry.name)).toEqual(['lab', 'prod', 'lab-2']);

    await store.getState().importKubeconfig({ kind: 'files', paths: ['/a'] });
    expect(store.getState().importStatus).toMatchObject({
      phase: 'failed',
      error: { code: 'INVALID_INPUT' },
      problems: [{ source: 'a', message: 'bad', line: 3 }],
    });
  });

  it('keeps nodes per context, also for a context named like an Object method', async () => {
    const { store } = fakeClusters();
    await store.getState().loadNodes('constructor');
    await store.getState().loadNodes('lab');
    expect(ownEntry(store.getState().nodes, 'constructor')).toMatchObject({ status: 'loaded', nodes: [{ name: 'n1' }] });
    expect(ownEntry(store.getState().nodes, 'lab')).toMatchObject({ status: 'failed', error: { code: 'FORBIDDEN' } });
    expect(ownEntry(store.getState().nodes, 'toString')).toBeUndefined();
  });
});
