/**
 * One saved secret that cannot be decrypted (the keyring changed, the file was altered) blocks only
 * the context that needs it: other imports, removals and connections go on, and importing that
 * kubeconfig again replaces the broken secret.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClustersService } from '../../../src/main/clusters/clusters-service';
import { OsEncryptionSecretStore } from '../../../src/main/secrets/os-encryption-secret-store';
import type { KubeconfigSource } from '../../../src/shared/contract/clusters';
import { createClustersService, kubeconfig, tempDir } from './cluster-fixtures';
import { startLoggingApiServer, type LoggingApiServer } from './logging-api-server';

let work: string;
let api: LoggingApiServer;
let service: ClustersService;
let dataDir: string;

beforeAll(async () => {
  work = await tempDir('clusters-undecryptable');
  api = await startLoggingApiServer(work, 'api');
  ({ service, dataDir } = await createClustersService());
});
afterAll(async () => {
  service?.dispose();
  await api?.stop();
  await rm(work, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const source = (name: string, token: string): KubeconfigSource => ({
  kind: 'text',
  text: stringify(kubeconfig({ server: api.server, caPem: api.caPem, token, names: { cluster: 'lab', user: name, context: name } })),
  label: `${name}.yaml`,
});

describe('a saved secret that cannot be decrypted', () => {
  it('marks that credential for re-entry and keeps every other import, removal and connection working', async () => {
    for (const name of ['alice', 'bob'])
      expect((await service.importKubeconfig(source(name, `token-${name}`), [])).status).toBe('imported');
    // Alice's token, altered in secrets.json: AES-GCM refuses it.
    const path = join(dataDir, OsEncryptionSecretStore.fileName);
    const file = JSON.parse(await readFile(path, 'utf8')) as { entries: Record<string, string> };
    const clusters = JSON.parse(await readFile(join(dataDir, 'clusters.json'), 'utf8')) as { users: Record<string, { id: string }> };
    const key = `kubeconfig-user/${clusters.users.alice!.id}/token`;
    const bytes = Buffer.from(file.entries[key]!, 'base64');
    bytes[bytes.length - 1]! ^= 0xff;
    file.entries[key] = bytes.toString('base64');
    await writeFile(path, JSON.stringify(file));

    const broken = await service.testConnection('alice');
    expect(broken.ok === false && broken.error).toMatchObject({
      code: 'SECRET_STORAGE_UNAVAILABLE',
      message: expect.stringMatching(
        /^The saved token of user "alice" is unusable: it cannot be decrypted .*Import the kubeconfig again\.$/,
      ) as string,
      details: { fix: 'Import the kubeconfig again.' },
    });
    expect(await service.testConnection('bob')).toMatchObject({ ok: true });
    // Another import and a removal are not blocked by alice's secret.
    expect((await service.importKubeconfig(source('carol', 'token-carol'), [])).status).toBe('imported');
    await service.remove('bob');
    expect((await service.list()).contexts.map((context) => context.name)).toEqual(['alice', 'carol']);

    // The re-import that fixes it: no clash, the token is written again and works.
    expect((await service.importKubeconfig(source('alice', 'token-alice'), [])).status).toBe('imported');
    expect(await service.testConnection('alice')).toMatchObject({ ok: true });
    expect(api.authorizations()).toContain('Bearer token-alice');
  });
});
