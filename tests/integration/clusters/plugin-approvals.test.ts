/**
 * A plugin approval holds for one context and its server: the same exec block in someone else's
 * kubeconfig, for another server, does not run until approved there, and an approval goes with
 * its context. Two logging HTTPS servers on loopback show where the plugin's token went.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClustersService } from '../../../src/main/clusters/clusters-service';
import type { KubeconfigSource } from '../../../src/shared/contract/clusters';
import { createClustersService, folderText, kubeconfig, tempDir } from './cluster-fixtures';
import { startLoggingApiServer, type LoggingApiServer } from './logging-api-server';

const TOKEN = 'CANARY-plugin-token-91c4aa';

let work: string;
let runs: string;
let serverA: LoggingApiServer;
let serverB: LoggingApiServer;
let service: ClustersService;
let dataDir: string;

beforeAll(async () => {
  work = await tempDir('clusters-approvals');
  runs = join(work, 'plugin-runs');
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

/** The same exec block for any server: it appends a line per run and prints a token. */
function withPlugin(server: LoggingApiServer, context: string, label: string): KubeconfigSource {
  const credential = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    kind: 'ExecCredential',
    status: { token: TOKEN },
  });
  const exec = {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: '/bin/sh',
    args: ['-c', `echo ran >> '${runs}'; printf '%s' '${credential}'`],
  };
  const config = kubeconfig({
    server: server.server,
    caPem: server.caPem,
    names: { cluster: context, user: 'sso', context },
    user: { exec },
  });
  return { kind: 'text', text: stringify(config), label };
}

const runCount = async () => (await readFile(runs, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
const pluginOf = async (context: string) => (await service.list()).contexts.find((item) => item.name === context)!.auth.plugin!;

describe('credential plugin approvals', () => {
  it('holds for one context and server: the same exec block for another server does not run', async () => {
    expect((await service.importKubeconfig(withPlugin(serverA, 'a', 'mine.yaml'), [])).status).toBe('imported');
    await service.approvePlugin('a', (await pluginOf('a')).approvalKey);
    expect(await service.testConnection('a')).toMatchObject({ ok: true });
    expect(await runCount()).toBe(1);
    expect(serverA.authorizations()).toContain(TOKEN);

    // Someone else's kubeconfig, the same exec block and user, another server. Its import checks it at once.
    expect((await service.importKubeconfig(withPlugin(serverB, 'b', 'theirs.yaml'), [])).status).toBe('imported');
    const checked = await service.testConnection('b');
    expect(checked.ok === false && checked.error.code).toBe('APPROVAL_REQUIRED');
    await service.refreshAll();
    expect(await runCount()).toBe(1);
    expect(serverB.requests).toEqual([]);
    const [a, b] = [await pluginOf('a'), await pluginOf('b')];
    expect(a.approved).toBe(true);
    expect(b).toMatchObject({ approved: false, command: a.command, args: a.args });
    expect(b.approvalKey).not.toBe(a.approvalKey);
    // The key shown for a does not approve b.
    expect((await service.approvePlugin('b', a.approvalKey).catch((error: unknown) => error)) as { code: string }).toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('goes with its context: removed and imported again, the plugin needs a new approval', async () => {
    await service.remove('a');
    const stored = JSON.parse(await readFile(join(dataDir, 'clusters.json'), 'utf8')) as { approvals: Record<string, unknown> };
    expect(stored.approvals).toEqual({});
    await service.importKubeconfig(withPlugin(serverA, 'a', 'mine.yaml'), []);
    expect((await pluginOf('a')).approved).toBe(false);
    const checked = await service.testConnection('a');
    expect(checked.ok === false && checked.error.code).toBe('APPROVAL_REQUIRED');
    expect(await runCount()).toBe(1);
  });

  it('is void when the context is replaced with one for another server', async () => {
    await service.approvePlugin('a', (await pluginOf('a')).approvalKey);
    expect(await service.testConnection('a')).toMatchObject({ ok: true });
    const runsBefore = await runCount();
    const requestsBefore = serverB.requests.length;
    // Context "a" and its cluster now from a file that points them at server B.
    const moved = await service.importKubeconfig(withPlugin(serverB, 'a', 'moved.yaml'), [
      { kind: 'cluster', name: 'a', action: 'replace' },
      { kind: 'context', name: 'a', action: 'replace' },
    ]);
    expect(moved.status).toBe('imported');
    expect((await pluginOf('a')).approved).toBe(false);
    const checked = await service.testConnection('a');
    expect(checked.ok === false && checked.error.code).toBe('APPROVAL_REQUIRED');
    expect(await runCount()).toBe(runsBefore);
    expect(serverB.requests.length).toBe(requestsBefore);
  });
});

describe('credential plugin environment values', () => {
  it('are kept in the secret store and masked, except the ones that decide what runs, and reach the plugin', async () => {
    const secret = 'CANARY-plugin-env-c81f20';
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: TOKEN },
    });
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: '/bin/sh',
      // The plugin writes down the value it got.
      args: ['-c', `printf '%s' "$LAB_CLIENT_SECRET" > '${join(work, 'plugin-env')}'; printf '%s' '${credential}'`],
      env: [
        { name: 'LAB_CLIENT_SECRET', value: secret },
        { name: 'PATH', value: '/usr/local/bin:/usr/bin:/bin' },
      ],
    };
    const config = kubeconfig({
      server: serverA.server,
      caPem: serverA.caPem,
      names: { cluster: 'env', user: 'env', context: 'env' },
      user: { exec },
    });
    const payloads: unknown[] = [await service.importKubeconfig({ kind: 'text', text: stringify(config), label: 'env.yaml' }, [])];
    const plugin = await pluginOf('env');
    expect(plugin.env).toEqual([{ name: 'LAB_CLIENT_SECRET' }, { name: 'PATH', value: '/usr/local/bin:/usr/bin:/bin' }]);
    payloads.push(await service.approvePlugin('env', plugin.approvalKey));
    payloads.push(await service.testConnection('env'));
    expect(payloads.at(-1)).toMatchObject({ ok: true });
    expect(await readFile(join(work, 'plugin-env'), 'utf8')).toBe(secret);
    payloads.push(await service.list());
    expect(JSON.stringify(payloads)).not.toContain(secret);
    expect(await folderText(dataDir)).not.toContain(secret);
    // kubectl in a terminal needs it: the context's own kubeconfig carries it.
    expect(await service.kubeconfigYamlFor('env')).toContain(secret);

    // A clusters.json from before kept the value in plain text: the next change of the store moves it to the secret store.
    const path = join(dataDir, 'clusters.json');
    const legacy = JSON.parse(await readFile(path, 'utf8')) as {
      users: Record<string, { entry: { exec: { env: { name: string; value?: string }[] } }; secrets: string[] }>;
    };
    legacy.users.env!.entry.exec.env[0]!.value = secret;
    legacy.users.env!.secrets = legacy.users.env!.secrets.filter((field) => field !== 'execEnv');
    await writeFile(path, JSON.stringify(legacy));
    await service.remove('b');
    expect(await readFile(path, 'utf8')).not.toContain(secret);
    // Stored anew, the plugin needs approving once more; then it gets the value as before.
    expect((await pluginOf('env')).approved).toBe(false);
    await service.approvePlugin('env', (await pluginOf('env')).approvalKey);
    expect(await service.kubeconfigYamlFor('env')).toContain(secret);
  });
});
