/**
 * A name clash at import must not send one cluster's credentials to another server: two kubeconfigs
 * both define a user "admin" (different tokens) for two logging HTTPS servers on loopback, and the
 * test watches which Authorization headers reach which server.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterStore } from '../../../src/main/clusters/cluster-store';
import type { ClustersService } from '../../../src/main/clusters/clusters-service';
import type { KubeconfigSource } from '../../../src/shared/contract/clusters';
import { caught, createClustersService, kubeconfig, tempDir } from './cluster-fixtures';
import { startLoggingApiServer, type LoggingApiServer } from './logging-api-server';

const CANARY = 'CANARY-cluster-admin-token-3b9e1f';
const OTHER = 'other-token-b7c2d4';

let work: string;
let serverA: LoggingApiServer;
let serverB: LoggingApiServer;
let service: ClustersService;
let dataDir: string;

const text = (value: unknown, label: string): KubeconfigSource => ({ kind: 'text', text: stringify(value), label });

beforeAll(async () => {
  work = await tempDir('clusters-binding');
  serverA = await startLoggingApiServer(work, 'server-a');
  serverB = await startLoggingApiServer(work, 'server-b');
  ({ service, dataDir } = await createClustersService());
});
afterAll(async () => {
  service?.dispose();
  await serverA?.stop();
  await serverB?.stop();
  await rm(work, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const fileA = () =>
  text(
    kubeconfig({ server: serverA.server, caPem: serverA.caPem, token: CANARY, names: { cluster: 'lab-a', user: 'admin', context: 'a' } }),
    'a.yaml',
  );
const fileB = () =>
  text(
    kubeconfig({ server: serverB.server, caPem: serverB.caPem, token: OTHER, names: { cluster: 'lab-b', user: 'admin', context: 'b' } }),
    'b.yaml',
  );

describe('a user name clash between two kubeconfigs for two servers', () => {
  it('says which contexts and servers each choice affects, refuses unconfirmed rebinding, and sends nothing', async () => {
    expect((await service.importKubeconfig(fileA(), [])).status).toBe('imported');
    expect((await service.testConnection('a')).ok).toBe(true);
    const storeBefore = await readFile(join(dataDir, ClusterStore.fileName), 'utf8');

    const clash = await service.importKubeconfig(fileB(), []);
    expect(clash).toEqual({
      status: 'needs-resolution',
      contexts: ['b'],
      clashes: [
        {
          kind: 'user',
          name: 'admin',
          incomingSource: 'b.yaml',
          existingSource: 'a.yaml',
          effects: {
            replace: [
              { context: 'a', server: serverA.server, user: 'admin', credentialsFrom: 'b.yaml', existing: true, otherServer: true },
            ],
            'keep-existing': [
              { context: 'b', server: serverB.server, user: 'admin', credentialsFrom: 'a.yaml', existing: false, otherServer: true },
            ],
          },
        },
      ],
    });

    // "Keep the existing one" would bind b (server B) to a's cluster-admin token: refused.
    const kept = await caught(service.importKubeconfig(fileB(), [{ kind: 'user', name: 'admin', action: 'keep-existing' }]));
    expect(kept.code).toBe('CONFIRMATION_REQUIRED');
    expect(kept.message).toContain(`context "b" would send the credentials of user "admin" (from a.yaml) to ${serverB.server}`);
    expect(kept.message).not.toContain(CANARY);
    // "Replace the existing one" would silently give context a (server A) b's token: refused too.
    const replaced = await caught(service.importKubeconfig(fileB(), [{ kind: 'user', name: 'admin', action: 'replace' }]));
    expect(replaced.code).toBe('CONFIRMATION_REQUIRED');
    expect(replaced.details?.contexts).toMatchObject([{ context: 'a', server: serverA.server, credentialsFrom: 'b.yaml' }]);

    expect(await readFile(join(dataDir, ClusterStore.fileName), 'utf8')).toBe(storeBefore);
    // Every context checked now (what the app's timer does): nothing of a's reached B, nothing of b's reached A.
    await service.refreshAll();
    expect(serverB.requests).toEqual([]);
    expect(serverA.authorizations()).not.toContain(OTHER);
  });

  it('imports a rename at once and checks it, each token going only to its own server', async () => {
    const result = await service.importKubeconfig(fileB(), [{ kind: 'user', name: 'admin', action: 'rename', newName: 'admin-b' }]);
    expect(result.status).toBe('imported');
    expect(await service.testConnection('b')).toMatchObject({ ok: true, identity: { user: 'admin-b' } });
    expect(await service.testConnection('a')).toMatchObject({ ok: true, identity: { user: 'admin' } });
    expect(serverB.authorizations()).toContain(OTHER);
    expect(serverB.authorizations()).not.toContain(CANARY);
    expect(serverA.authorizations()).not.toContain(OTHER);
    await service.remove('b');
  });

  it('binds credentials to another server only when the user confirmed that choice', async () => {
    const requestsBefore = serverB.requests.length;
    const result = await service.importKubeconfig(fileB(), [
      { kind: 'user', name: 'admin', action: 'keep-existing', confirmOtherServer: true },
    ]);
    expect(result.status === 'imported' && result.notices.join('\n')).toMatch(
      /Context "b" sends the credentials of user "admin" \(from a\.yaml\) to https:\/\/127\.0\.0\.1:\d+, as you confirmed/,
    );
    expect(await service.testConnection('b')).toMatchObject({ ok: true });
    expect(serverB.requests.length).toBeGreaterThan(requestsBefore);
    await service.remove('b');
  });

  it('never sends stored credentials to a server they are not bound to, even if the store says so', async () => {
    const serverC = await startLoggingApiServer(work, 'server-c');
    try {
      // A context moved to server C behind Nestlab's back (an edited clusters.json).
      const path = join(dataDir, ClusterStore.fileName);
      const file = JSON.parse(await readFile(path, 'utf8')) as { clusters: Record<string, { entry: { server: string; caData?: string } }> };
      file.clusters['lab-a']!.entry.server = serverC.server;
      file.clusters['lab-a']!.entry.caData = serverC.caPem;
      await writeFile(path, JSON.stringify(file));
      const moved = await service.testConnection('a');
      expect(moved.ok === false && moved.error).toMatchObject({ code: 'CONFIRMATION_REQUIRED', details: { server: serverC.server } });
      expect(serverC.requests).toEqual([]);
    } finally {
      await serverC.stop();
    }
  });
});
