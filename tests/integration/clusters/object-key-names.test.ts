/**
 * Names from kubeconfigs become keys in Nestlab's stores: `__proto__`, `constructor` and
 * `toString` must be entries like any other, kept across a restart, and removable with their
 * secrets (a plain object dropped `__proto__` on save and left its token orphaned).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClustersService } from '../../../src/main/clusters/clusters-service';
import { OsEncryptionSecretStore } from '../../../src/main/secrets/os-encryption-secret-store';
import { createTestOsEncryption } from '../../../src/main/secrets/test-os-encryption';
import { caught, kubeconfig, tempDir } from './cluster-fixtures';
import { startLoggingApiServer, type LoggingApiServer } from './logging-api-server';

let work: string;
let api: LoggingApiServer;
let dataDir: string;

beforeAll(async () => {
  work = await tempDir('clusters-key-names');
  dataDir = join(work, 'data');
  api = await startLoggingApiServer(work, 'api');
});
afterAll(async () => {
  await api?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('kubeconfig names that are object keys in JavaScript', () => {
  it('imports, keeps, connects and removes __proto__, constructor and toString entries', async () => {
    const encryption = createTestOsEncryption();
    const open = () =>
      new ClustersService({ dataDir, secrets: new OsEncryptionSecretStore({ dataDir, encryption }), refreshIntervalMs: 0, env: {} });
    const names = [
      { cluster: 'constructor', user: 'toString', context: '__proto__' },
      { cluster: '__proto__', user: '__proto__', context: 'constructor' },
      { cluster: 'hasOwnProperty', user: 'constructor', context: 'toString' },
    ];
    const service = open();
    try {
      // Before anything is imported, these names are not contexts.
      expect((await caught(service.remove('constructor'))).code).toBe('NOT_FOUND');
      expect((await caught(service.testConnection('__proto__'))).code).toBe('NOT_FOUND');
      for (const [index, entry] of names.entries()) {
        const text = stringify(kubeconfig({ server: api.server, caPem: api.caPem, token: `token-${index}`, names: entry }));
        const result = await service.importKubeconfig({ kind: 'text', text, label: `names-${index}.yaml` }, []);
        expect(result.status === 'imported' && result.imported).toEqual([entry.context]);
      }
    } finally {
      service.dispose();
    }

    const restarted = open();
    try {
      const state = await restarted.list();
      expect(state.contexts.map((context) => [context.name, context.clusterName, context.userName])).toEqual([
        ['__proto__', 'constructor', 'toString'],
        ['constructor', '__proto__', '__proto__'],
        ['toString', 'hasOwnProperty', 'constructor'],
      ]);
      expect(await restarted.testConnection('__proto__')).toMatchObject({ ok: true, identity: { user: 'toString' } });
      expect(api.authorizations()).toContain('Bearer token-0');

      for (const { context } of names) await restarted.remove(context);
      expect((await restarted.list()).contexts).toEqual([]);
      // No secret is left behind.
      const secrets = JSON.parse(await readFile(join(dataDir, OsEncryptionSecretStore.fileName), 'utf8')) as { entries: object };
      expect(Object.keys(secrets.entries)).toEqual([]);
    } finally {
      restarted.dispose();
    }
  });

  it('keeps auth-provider config keys __proto__ and constructor through import, a restart and export (issue 16, item 11)', async () => {
    const encryption = createTestOsEncryption();
    const keysDir = join(work, 'auth-provider-data');
    const open = () =>
      new ClustersService({
        dataDir: keysDir,
        secrets: new OsEncryptionSecretStore({ dataDir: keysDir, encryption }),
        refreshIntervalMs: 0,
        env: {},
      });
    // Written as text: a JavaScript object literal cannot even hold a `__proto__` key.
    const text = [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: oidc-lab, cluster: {server: "' + api.server + '"}}]',
      'users:',
      '- name: oidc-user',
      '  user:',
      '    auth-provider:',
      '      name: oidc',
      '      config:',
      '        __proto__: proto-value',
      '        constructor: constructor-value',
      '        client-id: nestlab',
      '        id-token: id-token-value',
      'contexts: [{name: oidc, context: {cluster: oidc-lab, user: oidc-user}}]',
      'current-context: oidc',
      '',
    ].join('\n');
    const service = open();
    try {
      const result = await service.importKubeconfig({ kind: 'text', text, label: 'oidc.yaml' }, []);
      expect(result.status === 'imported' && result.imported).toEqual(['oidc']);
    } finally {
      service.dispose();
    }
    const restarted = open();
    try {
      const exported = join(work, 'exported-config');
      expect(await restarted.exportContext('oidc', { path: exported })).toMatchObject({ status: 'written' });
      const config = parse(await readFile(exported, 'utf8')) as { users: { user: { 'auth-provider': { config: object } } }[] };
      const providerConfig = config.users[0]?.user['auth-provider'].config ?? {};
      expect(Object.entries(providerConfig)).toEqual([
        ['__proto__', 'proto-value'],
        ['constructor', 'constructor-value'],
        ['client-id', 'nestlab'],
        ['id-token', 'id-token-value'],
      ]);
      // The config is a secret: removing the context leaves none of it behind.
      await restarted.remove('oidc');
      const secrets = JSON.parse(await readFile(join(keysDir, OsEncryptionSecretStore.fileName), 'utf8')) as { entries: object };
      expect(Object.keys(secrets.entries)).toEqual([]);
    } finally {
      restarted.dispose();
    }
  });
});
