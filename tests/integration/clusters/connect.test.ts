/**
 * The clusters service against a real Kubernetes 1.20 control plane: health, and the diagnosis of
 * each failure (unknown CA, wrong SAN, bad token, RBAC, expired client certificate, API server down).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OsEncryptionSecretStore } from '../../../src/main/secrets/os-encryption-secret-store';
import { createTestOsEncryption } from '../../../src/main/secrets/test-os-encryption';
import { createServices } from '../../../src/main/services';
import { Dispatcher } from '../../../src/shared/rpc/dispatcher';
import { connectInMemory } from '../../../src/shared/rpc/in-memory';
import type { ClustersService } from '../../../src/main/clusters/clusters-service';
import type { ClustersState, ConnectionTestResult } from '../../../src/shared/contract/clusters';
import type { SerializedError } from '../../../src/shared/errors';
import { labNodeSpecs, runKubectl, signCertificate, startControlPlane, startSimulatedNodes, waitFor } from '../../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../../harness/index.js';
import { caught, createClustersService, folderText, kubeconfig, tempDir, writeYaml } from './cluster-fixtures';

const run = promisify(execFile);

let controlPlane: ControlPlane;
let nodes: SimulatedNodes;
let service: ClustersService;
let dataDir: string;
let work: string;

beforeAll(async () => {
  controlPlane = await startControlPlane();
  nodes = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  ({ service, dataDir } = await createClustersService({ refreshIntervalMs: 1_000, requestTimeoutMs: 3_000 }));
  work = await tempDir('clusters-connect');
});
afterAll(async () => {
  service?.dispose();
  await nodes?.stop();
  await controlPlane?.stop();
  await rm(work, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

async function importText(value: unknown, label = 'test.yaml'): Promise<string[]> {
  const result = await service.importKubeconfig({ kind: 'text', text: typeof value === 'string' ? value : stringify(value), label }, []);
  if (result.status !== 'imported') throw new Error(`unexpected clashes: ${JSON.stringify(result.clashes)}`);
  return result.imported;
}

function failure(result: ConnectionTestResult): SerializedError {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('connecting to a real API server', () => {
  it('connects with a good kubeconfig and reports version, nodes by OS and identity', async () => {
    const [name] = await importText(controlPlane.adminKubeconfig);
    const result = await service.testConnection(name!);
    expect(result).toMatchObject({
      ok: true,
      version: 'v1.20.2',
      nodes: { total: 4, linux: 3, windows: 1, other: 0 },
      identity: { user: 'nestlab-admin', canListNodes: true },
    });
    await waitFor(async () => {
      const health = await service.testConnection(name!);
      return health.ok && !('error' in health.nodes) && health.nodes.ready === 4;
    });
    const listed = await service.listNodes(name!);
    expect(listed.map((node) => [node.name, node.os, node.roles])).toEqual([
      ['sim-control-plane-1', 'linux', ['control-plane', 'master']],
      ['sim-linux-1', 'linux', []],
      ['sim-linux-2', 'linux', []],
      ['sim-windows-1', 'windows', []],
    ]);
    const state = await service.list();
    expect(state.activeContext).toBe(name);
    expect(state.contexts[0]!.auth).toMatchObject({ kind: 'token', hasToken: true });
  });

  it('diagnoses a kubeconfig with the wrong CA as an unknown authority (cluster re-created)', async () => {
    const otherCa = join(work, 'other-ca');
    await run('openssl', [
      'req',
      '-x509',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      `${otherCa}.key`,
      '-out',
      `${otherCa}.crt`,
      '-days',
      '30',
      '-subj',
      '/CN=some-other-cluster-ca',
    ]);
    const config = kubeconfig({
      server: controlPlane.server,
      caPem: await readFile(`${otherCa}.crt`, 'utf8'),
      token: controlPlane.adminToken,
      names: { cluster: 'recreated', user: 'recreated-admin', context: 'recreated' },
    });
    await importText(config);
    const error = failure(await service.testConnection('recreated'));
    expect(error.code).toBe('TLS_UNKNOWN_AUTHORITY');
    expect(error.message).toMatch(/signed by an authority this kubeconfig does not trust/);
    expect(error.details?.fix).toMatch(/fetch its kubeconfig again/);
  });

  it('diagnoses an address the certificate does not cover (localhost) as a SAN mismatch', async () => {
    const server = controlPlane.server.replace('127.0.0.1', 'localhost');
    await importText(
      kubeconfig({
        server,
        caPem: controlPlane.caCertPem,
        token: controlPlane.adminToken,
        names: { cluster: 'by-name', user: 'by-name', context: 'by-name' },
      }),
    );
    const error = failure(await service.testConnection('by-name'));
    expect(error.code).toBe('TLS_NAME_MISMATCH');
    expect(error.message).toMatch(/not valid for the address "localhost"/);
    expect(error.details?.fix).toMatch(/add "localhost" to the API server certificate's SANs/);
  });

  it('diagnoses a bad token as unauthorized, without the token in the answer', async () => {
    const badToken = 'CANARY-bad-token-7f3a9c';
    await importText(
      kubeconfig({
        server: controlPlane.server,
        caPem: controlPlane.caCertPem,
        token: badToken,
        names: { cluster: 'lab', user: 'wrong', context: 'wrong' },
      }),
    );
    const result = await service.testConnection('wrong');
    expect(failure(result).code).toBe('UNAUTHORIZED');
    expect(JSON.stringify(result)).not.toContain(badToken);
  });

  it('diagnoses the read-only user writing as forbidden, naming the verb and resource', async () => {
    const [viewer] = await importText(controlPlane.viewerKubeconfig, 'viewer.yaml');
    expect(viewer).toBe('nestlab-viewer@nestlab-test');
    const error = await caught(
      service.requestAs(viewer!, {
        method: 'POST',
        path: '/api/v1/namespaces',
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'viewer-was-here' } },
      }),
    );
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toBe('Forbidden: user "nestlab-viewer" may not create namespaces.' + ' ' + (error.details?.fix as string));
    expect(error.details).toMatchObject({ verb: 'create', resource: 'namespaces', user: 'nestlab-viewer' });
    // The health check of that user: reachable, nodes hidden by RBAC, identity read from the refusal.
    const health = await service.testConnection(viewer!);
    expect(health).toMatchObject({
      ok: true,
      nodes: { error: { code: 'FORBIDDEN', details: { verb: 'list', resource: 'nodes' } } },
      identity: { user: 'nestlab-viewer', canListNodes: false },
    });
  });

  it('uses client certificates from the kubeconfig folder (relative paths), and keeps working when the folder is gone', async () => {
    const folder = join(work, 'cert-user');
    await mkdir(join(folder, 'pki'), { recursive: true });
    await signCertificate({
      dir: join(folder, 'pki'),
      name: 'alice',
      caCertPath: controlPlane.caCertPath,
      caKeyPath: controlPlane.caKeyPath,
      commonName: 'alice',
      organization: 'system:masters',
      usage: 'clientAuth',
    });
    await writeFile(join(folder, 'pki', 'ca.crt'), controlPlane.caCertPem);
    const path = await writeYaml(join(folder, 'config'), {
      ...kubeconfig({
        server: controlPlane.server,
        names: { cluster: 'cert-lab', user: 'alice', context: 'alice@cert-lab' },
        cluster: { 'certificate-authority': 'pki/ca.crt' },
        user: { 'client-certificate': 'pki/alice.crt', 'client-key': './pki/alice.key' },
      }),
    });
    const result = await service.importKubeconfig({ kind: 'files', paths: [path] }, []);
    expect(result.status).toBe('imported');
    await rm(folder, { recursive: true });
    const health = await service.testConnection('alice@cert-lab');
    expect(health).toMatchObject({ ok: true, identity: { user: 'alice', canListNodes: true } });
    const context = (await service.list()).contexts.find((item) => item.name === 'alice@cert-lab')!;
    expect(context.auth).toMatchObject({ kind: 'client-certificate', hasClientKey: true, hasToken: false });
    expect(context.externalFiles).toEqual([]);
  });

  it('diagnoses an expired client certificate', async () => {
    const folder = join(work, 'expired');
    await mkdir(folder, { recursive: true });
    const { certPath, keyPath } = await signCertificate({
      dir: folder,
      name: 'old',
      caCertPath: controlPlane.caCertPath,
      caKeyPath: controlPlane.caKeyPath,
      commonName: 'old-admin',
      organization: 'system:masters',
      usage: 'clientAuth',
      days: -1,
    });
    const path = await writeYaml(
      join(folder, 'config'),
      kubeconfig({
        server: controlPlane.server,
        caPem: controlPlane.caCertPem,
        names: { cluster: 'expired-lab', user: 'old-admin', context: 'expired' },
        user: { 'client-certificate': certPath, 'client-key': keyPath },
      }),
    );
    await service.importKubeconfig({ kind: 'files', paths: [path] }, []);
    const error = failure(await service.testConnection('expired'));
    expect(error.code).toBe('TLS_CERT_EXPIRED');
    expect(error.message).toMatch(/client certificate of user "old-admin" expired on/);
  });

  it('reports an API server that stopped as unreachable, and recovers by itself when it is back', async () => {
    const name = 'nestlab-admin@nestlab-test';
    const states: ClustersState[] = [];
    const subscription = service.onDidChange((state) => states.push(state));
    const healthOf = (state: ClustersState) => state.contexts.find((context) => context.name === name)?.health.result;
    try {
      await controlPlane.stopApiServer();
      const down = healthOf(await service.refresh(name));
      expect(down?.ok === false && down.error.code).toBe('UNREACHABLE');
      expect(down?.ok === false && down.error.message).toMatch(/connection refused/);
      await controlPlane.startApiServer();
      states.length = 0;
      // No call from the test: the service's own timer (1 s here, 30 s in the app) notices.
      await waitFor(() => states.some((state) => healthOf(state)?.ok === true), { timeout: 20_000, description: 'health back to ok' });
    } finally {
      subscription.dispose();
    }
  });
});

describe('name clashes, merging and export', () => {
  it('shows a clash with different content and resolves it by rename or replace, storing nothing before', async () => {
    const names = { cluster: 'shared', user: 'shared-user', context: 'shared' };
    await importText(
      kubeconfig({ server: controlPlane.server, caPem: controlPlane.caCertPem, token: controlPlane.adminToken, names }),
      'first.yaml',
    );
    const other = stringify(
      kubeconfig({ server: controlPlane.server, caPem: controlPlane.caCertPem, token: controlPlane.viewerToken, names }),
    );
    const source = { kind: 'text' as const, text: other, label: 'second.yaml' };
    const before = await service.list();
    const clash = await service.importKubeconfig(source, []);
    expect(clash).toEqual({
      status: 'needs-resolution',
      // The context itself is identical (same cluster and user names); its user differs.
      contexts: ['shared'],
      clashes: [
        {
          kind: 'user',
          name: 'shared-user',
          incomingSource: 'second.yaml',
          existingSource: 'first.yaml',
          // Same server for both files: either choice keeps the credentials with the server they came with.
          effects: {
            replace: [
              {
                context: 'shared',
                server: controlPlane.server,
                user: 'shared-user',
                credentialsFrom: 'second.yaml',
                existing: true,
                otherServer: false,
              },
            ],
            'keep-existing': [
              {
                context: 'shared',
                server: controlPlane.server,
                user: 'shared-user',
                credentialsFrom: 'first.yaml',
                existing: false,
                otherServer: false,
              },
            ],
          },
        },
      ],
    });
    expect((await service.list()).contexts.map((context) => context.name)).toEqual(before.contexts.map((context) => context.name));

    const renamed = await service.importKubeconfig(source, [
      { kind: 'user', name: 'shared-user', action: 'rename', newName: 'shared-viewer' },
      { kind: 'context', name: 'shared', action: 'rename', newName: 'shared-as-viewer' },
    ]);
    expect(renamed.status === 'imported' && renamed.imported).toEqual(['shared-as-viewer']);
    const state = await service.list();
    expect(state.contexts.find((context) => context.name === 'shared')?.userName).toBe('shared-user');
    expect(state.contexts.find((context) => context.name === 'shared-as-viewer')?.userName).toBe('shared-viewer');
    expect(await service.testConnection('shared-as-viewer')).toMatchObject({ ok: true, identity: { canListNodes: false } });

    const replaced = await service.importKubeconfig(source, [
      { kind: 'user', name: 'shared-user', action: 'replace' },
      { kind: 'context', name: 'shared', action: 'replace' },
    ]);
    expect(replaced.status).toBe('imported');
    expect(await service.testConnection('shared')).toMatchObject({ ok: true, identity: { canListNodes: false } });
  });

  it('merges several files as kubectl does: first definition wins when identical, current-context from the first file that sets it', async () => {
    const { service: fresh, dataDir: freshDir } = await createClustersService();
    try {
      const folder = join(work, 'merge');
      await mkdir(folder, { recursive: true });
      const a = kubeconfig({
        server: controlPlane.server,
        caPem: controlPlane.caCertPem,
        token: controlPlane.adminToken,
        names: { cluster: 'c', user: 'u', context: 'a' },
      });
      delete a['current-context'];
      const b = kubeconfig({
        server: controlPlane.server,
        caPem: controlPlane.caCertPem,
        token: controlPlane.adminToken,
        names: { cluster: 'c', user: 'u', context: 'b' },
      });
      const c = kubeconfig({
        server: controlPlane.server,
        caPem: controlPlane.caCertPem,
        token: controlPlane.adminToken,
        names: { cluster: 'c', user: 'u', context: 'c' },
      });
      const paths = [await writeYaml(join(folder, 'a'), a), await writeYaml(join(folder, 'b'), b), await writeYaml(join(folder, 'c'), c)];
      const result = await fresh.importKubeconfig({ kind: 'files', paths }, []);
      expect(result.status === 'imported' && result.imported).toEqual(['a', 'b', 'c']);
      expect(result.status === 'imported' && result.state.activeContext).toBe('b');
    } finally {
      fresh.dispose();
      await rm(freshDir, { recursive: true, force: true });
    }
  });

  it('exports a context into an existing kubeconfig: merged, backed up, atomic, usable by kubectl', async () => {
    const target = join(work, 'home', '.kube', 'config');
    await mkdir(join(work, 'home', '.kube'), { recursive: true });
    const previous = stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'elsewhere', cluster: { server: 'https://192.0.2.10:6443' } }],
      users: [{ name: 'someone', user: { token: 'keep-me' } }],
      contexts: [{ name: 'elsewhere', context: { cluster: 'elsewhere', user: 'someone' } }],
      'current-context': 'elsewhere',
    });
    await writeFile(target, previous, { mode: 0o600 });
    const result = await service.exportContext('alice@cert-lab', { path: target });
    expect(result.status).toBe('written');
    if (result.status !== 'written') return;
    expect(await readFile(result.backupPath!, 'utf8')).toBe(previous);
    const written = await readFile(target, 'utf8');
    expect(written).toContain('name: elsewhere');
    expect(written).toContain('current-context: elsewhere');
    const kubectl = await runKubectl(target, ['--context', 'alice@cert-lab', 'get', 'nodes', '-o', 'name']);
    expect(kubectl.stderr).toBe('');
    expect(kubectl.stdout).toContain('node/sim-windows-1');

    // Same names, different content: refused unless the user says replace.
    await writeFile(target, written.replace(controlPlane.server, 'https://127.0.0.2:1'));
    const conflict = await service.exportContext('alice@cert-lab', { path: target });
    expect(conflict).toEqual({ status: 'conflict', path: target, conflicts: [{ kind: 'cluster', name: 'cert-lab' }] });
    expect((await service.exportContext('alice@cert-lab', { path: target, replace: true })).status).toBe('written');
    expect(await readFile(target, 'utf8')).toContain(controlPlane.server);
  });

  it('gives client-node a KubeConfig with resolved credentials for services built on it', async () => {
    expect(await service.contextNames()).toContain('alice@cert-lab');
    const config = await service.kubeConfigFor('alice@cert-lab');
    const api = config.makeApiClient(CoreV1Api);
    const list = await api.listNode();
    expect(list.items.map((node) => node.metadata?.name)).toContain('sim-windows-1');
  });

  it("gives a terminal one context's kubeconfig, which kubectl uses as is", async () => {
    const path = join(work, 'terminal-kubeconfig');
    await writeFile(path, await service.kubeconfigYamlFor('nestlab-viewer@nestlab-test'), { mode: 0o600 });
    const whoami = await runKubectl(path, ['get', 'pods', '-A', '-o', 'name']);
    expect(whoami.exitCode).toBe(0);
    const denied = await runKubectl(path, ['create', 'namespace', 'from-terminal']);
    expect(denied.stderr).toMatch(/User "nestlab-viewer" cannot create resource "namespaces"/);
  });
});

describe('secrets never leave the main process', () => {
  it('keeps a canary token and client key out of every IPC payload, event, error, log and data file', async () => {
    const tokenCanary = 'CANARY-token-5d1e08b2';
    const dir = await tempDir('clusters-canary-data');
    const folder = join(work, 'canary');
    await mkdir(folder, { recursive: true });
    const { keyPath, certPath } = await signCertificate({
      dir: folder,
      name: 'canary',
      caCertPath: controlPlane.caCertPath,
      caKeyPath: controlPlane.caKeyPath,
      commonName: 'canary',
      usage: 'clientAuth',
    });
    const keyCanary = (await readFile(keyPath, 'utf8')).split('\n')[1]!;
    const logged: unknown[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => logged.push(args)),
    );
    const services = await createServices({
      mode: 'browser',
      appVersion: '0.0.0-test',
      dataDir: dir,
      secrets: new OsEncryptionSecretStore({ dataDir: dir, encryption: createTestOsEncryption() }),
    });
    const { api, close } = connectInMemory(new Dispatcher(services));
    const payloads: unknown[] = [];
    const seen = async <T>(promise: Promise<T>): Promise<T> => {
      try {
        const value = await promise;
        payloads.push(value);
        return value;
      } catch (error) {
        payloads.push(error, (error as Error).message);
        throw error;
      }
    };
    const subscription = api.clusters.onDidChange((state) => payloads.push(state));
    try {
      const tokenConfig = kubeconfig({
        server: controlPlane.server,
        caPem: controlPlane.caCertPem,
        token: tokenCanary,
        names: { cluster: 'canary', user: 'canary-token', context: 'canary-token' },
      });
      const certConfig = kubeconfig({
        server: controlPlane.server,
        caPem: controlPlane.caCertPem,
        names: { cluster: 'canary', user: 'canary-cert', context: 'canary-cert' },
        user: { 'client-certificate': certPath, 'client-key': keyPath },
      });
      await seen(api.clusters.importKubeconfig({ kind: 'text', text: stringify(tokenConfig), label: 'canary.yaml' }, []));
      await seen(api.clusters.importKubeconfig({ kind: 'files', paths: [await writeYaml(join(folder, 'config'), certConfig)] }, []));
      // The clash answer and an invalid-input error, both carrying the canary's entry.
      const changed = { ...tokenConfig, users: [{ name: 'canary-token', user: { token: `${tokenCanary}-changed` } }] };
      await seen(api.clusters.importKubeconfig({ kind: 'text', text: stringify(changed), label: 'changed.yaml' }, []));
      const broken = { ...tokenConfig, clusters: [{ name: 'canary', cluster: { server: 'http://127.0.0.1:1' } }] };
      await seen(api.clusters.importKubeconfig({ kind: 'text', text: stringify(broken), label: 'broken.yaml' }, [])).catch(() => undefined);
      const state = await seen(api.clusters.list());
      expect(state.contexts.find((context) => context.name === 'canary-token')!.auth).toMatchObject({ kind: 'token', hasToken: true });
      expect(state.contexts.find((context) => context.name === 'canary-cert')!.auth).toMatchObject({ hasClientKey: true });
      const unauthorized = await seen(api.clusters.testConnection('canary-token'));
      expect(unauthorized.ok === false && unauthorized.error.code).toBe('UNAUTHORIZED');
      await seen(api.clusters.testConnection('canary-cert'));
      await seen(api.clusters.refreshAll());
      await seen(api.clusters.setActive('canary-cert'));
      await seen(api.clusters.listNodes('canary-token')).catch(() => undefined);
      await seen(api.clusters.defaultKubeconfig());
      const exported = await seen(api.clusters.exportContext('canary-token', { path: join(work, 'canary-export', 'config') }));
      expect(exported.status).toBe('written');
      // The exported file is the user's, for kubectl: it must carry the token.
      expect(await readFile(join(work, 'canary-export', 'config'), 'utf8')).toContain(tokenCanary);

      const wire = JSON.stringify(payloads);
      expect(payloads.length).toBeGreaterThan(10);
      expect(wire).not.toContain(tokenCanary);
      expect(wire).not.toContain(keyCanary);
      expect(JSON.stringify(logged)).not.toContain(tokenCanary);
      const files = await folderText(dir);
      expect(files).toContain('canary-token');
      expect(files).not.toContain(tokenCanary);
      expect(files).not.toContain(keyCanary);
    } finally {
      subscription.dispose();
      close();
      await services.dispose();
      for (const spy of spies) spy.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
