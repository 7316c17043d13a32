/**
 * Every bad kubeconfig the issue lists gets a clear error and leaves the store exactly as it was.
 * No API server is needed: all of these are refused before anything connects.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClustersService } from '../../../src/main/clusters/clusters-service';
import { MemorySecretStore } from '../../../src/main/secrets/memory-secret-store';
import { ClusterStore } from '../../../src/main/clusters/cluster-store';
import type { KubeconfigProblem, KubeconfigSource } from '../../../src/shared/contract/clusters';
import { waitFor } from '../../harness/index.js';
import { caught, createClustersService, kubeconfig, tempDir, writeYaml } from './cluster-fixtures';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let service: ClustersService;
let dataDir: string;
let work: string;
let storeBefore: string;

const text = (value: unknown, label = 'pasted.yaml'): KubeconfigSource => ({
  kind: 'text',
  text: typeof value === 'string' ? value : stringify(value),
  label,
});

beforeAll(async () => {
  ({ service, dataDir } = await createClustersService());
  work = await tempDir('clusters-bad-input');
  // Something in the store, so "nothing changed" means something.
  const imported = await service.importKubeconfig(text(kubeconfig({ server: 'https://127.0.0.1:1', token: 'good-token' })), []);
  expect(imported.status).toBe('imported');
  storeBefore = await readFile(join(dataDir, ClusterStore.fileName), 'utf8');
});
afterAll(async () => {
  service?.dispose();
  await rm(work, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

async function expectRefused(source: KubeconfigSource): Promise<KubeconfigProblem[]> {
  const error = await caught(service.importKubeconfig(source, []));
  expect(error.code).toBe('INVALID_INPUT');
  expect(error.message).toMatch(/nothing was imported/);
  expect(await readFile(join(dataDir, ClusterStore.fileName), 'utf8')).toBe(storeBefore);
  expect((await service.list()).contexts.map((context) => context.name)).toEqual(['lab-admin@lab']);
  return error.details?.problems as KubeconfigProblem[];
}

describe('bad kubeconfigs: a clear error and nothing changed', () => {
  it('refuses an empty file', async () => {
    const path = join(work, 'empty');
    await writeFile(path, '\n  \n');
    const [problem] = await expectRefused({ kind: 'files', paths: [path] });
    expect(problem).toMatchObject({ source: path, message: 'The file is empty.' });
  });

  it('refuses invalid YAML, naming line and column', async () => {
    const problems = await expectRefused(text('apiVersion: v1\nclusters:\n  - name: a\n    cluster: {server: "https://x\n'));
    expect(problems[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
    expect(problems[0]!.message).toMatch(/^Invalid YAML at line \d+, column \d+/);
    const [tab] = await expectRefused(text('apiVersion: v1\nkind: Config\nclusters:\n\t- name: a\n'));
    expect(tab).toMatchObject({ line: 4 });
  });

  it('refuses YAML that is not a kubeconfig: a scalar, a list, a Pod', async () => {
    expect((await expectRefused(text('just a string')))[0]!.message).toMatch(/single string value, not a kubeconfig/);
    expect((await expectRefused(text('- a\n- b\n')))[0]!.message).toMatch(/YAML list, not a kubeconfig/);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
    expect((await expectRefused(text(pod)))[0]!.message).toBe('The file is a Kubernetes Pod (v1), not a kubeconfig (kind: Config).');
    expect((await expectRefused(text({ foo: 1 })))[0]!.message).toMatch(/no clusters, users or contexts/);
  });

  it('lists every missing cluster and user at once', async () => {
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'real', cluster: { server: 'https://10.0.0.1:6443' } }],
      users: [{ name: 'me', user: { token: 't' } }],
      contexts: [
        { name: 'one', context: { cluster: 'ghost', user: 'me' } },
        { name: 'two', context: { cluster: 'real', user: 'nobody' } },
        { name: 'three', context: { cluster: 'gone', user: 'missing' } },
      ],
    };
    const problems = await expectRefused(text(config));
    expect(problems.map((problem) => problem.message)).toEqual([
      'context "one": cluster "ghost" is not defined.',
      'context "two": user "nobody" is not defined.',
      'context "three": cluster "gone" is not defined.',
      'context "three": user "missing" is not defined.',
    ]);
  });

  it('refuses invalid base64 and non-PEM certificate data, and an http:// server, all in one answer', async () => {
    const config = kubeconfig({
      server: 'http://10.0.0.1:8080',
      cluster: { 'certificate-authority-data': 'not*base64!' },
      user: {
        'client-certificate-data': Buffer.from('hello, not a certificate').toString('base64'),
        'client-key-data': Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n').toString('base64'),
      },
    });
    const messages = (await expectRefused(text(config))).map((problem) => problem.message);
    expect(messages).toEqual([
      'cluster "lab": server http://10.0.0.1:8080 uses http://, which sends credentials unencrypted. Nestlab connects only over https://.',
      'cluster "lab": certificate-authority-data is not valid base64.',
      'user "lab-admin": client-certificate-data is not a PEM certificate (no "-----BEGIN CERTIFICATE-----").',
      'user "lab-admin": client-key-data looks like PEM but is not a readable private key.',
    ]);
    // Problems of entries and of references between them come in the same answer.
    const dangling = { ...config, contexts: [{ name: 'extra', context: { cluster: 'lab', user: 'ghost' } }] };
    expect((await expectRefused(text(dangling))).map((problem) => problem.message)).toEqual([
      ...messages,
      'context "extra": user "ghost" is not defined.',
      'current-context "lab-admin@lab" names no context (the contexts are "extra"). Set current-context to one of them, or remove it.',
    ]);
  });

  it('lists shape errors, bad certificate data, dangling references and a current-context that names no context in one answer', async () => {
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'a', cluster: {} },
        { name: 'b', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': 'not*base64!' } },
      ],
      users: [
        { name: 'u', user: { exec: { command: 'aws' } } },
        { name: 'v', user: { token: 't' } },
      ],
      contexts: [
        // Refers to the broken entries: reported once, where they are broken.
        { name: 'one', context: { cluster: 'a', user: 'u' } },
        { name: 'two', context: { cluster: 'ghost', user: 'v' } },
        { name: 'three', context: { user: 'v' } },
      ],
      'current-context': 'nope',
    };
    expect((await expectRefused(text(config))).map((problem) => problem.message)).toEqual([
      'cluster "a": server: Invalid input: expected string, received undefined',
      'user "u": exec.apiVersion: Invalid input: expected string, received undefined',
      'context "three": cluster: Invalid input: expected string, received undefined',
      'cluster "b": certificate-authority-data is not valid base64.',
      'context "two": cluster "ghost" is not defined.',
      'current-context "nope" names no context (the contexts are "one", "two"). Set current-context to one of them, or remove it.',
    ]);
  });

  it('refuses a 50 MB file by its size, before reading it', async () => {
    const path = join(work, 'huge.yaml');
    await writeFile(path, '');
    await truncate(path, 50 * 1024 * 1024);
    // The message comes from the size check, which runs before the file is read or parsed.
    const [problem] = await expectRefused({ kind: 'files', paths: [path] });
    expect(problem!.message).toMatch(/^The file is 50\.0 MB; a kubeconfig is a few kilobytes/);
    await rm(path);
    // The same as text (a file picker in browser mode): refused by size, not parsed.
    const big = `# ${'x'.repeat(50 * 1024 * 1024)}\n`;
    expect((await expectRefused(text(big)))[0]!.message).toMatch(/larger than 4 MB/);
  });

  it('refuses a YAML alias bomb quickly, without expanding it', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 10; level += 1) {
      const previous = String.fromCharCode(96 + level);
      const name = String.fromCharCode(97 + level);
      lines.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${previous}`).join(',')}]`);
    }
    lines.push('clusters: *j');
    // The parser's alias limit refuses it: expanding it would build 10^9 strings.
    const [problem] = await expectRefused(text(lines.join('\n')));
    expect(problem!.message).toMatch(/too many aliases/);
  });
});

describe('insecure-skip-tls-verify', () => {
  it('imports it with a warning that the server is not verified, and marks the context for a permanent warning', async () => {
    const config = kubeconfig({
      server: 'https://127.0.0.1:1',
      token: 't',
      names: { cluster: 'no-tls', user: 'no-tls', context: 'no-tls' },
      cluster: { 'insecure-skip-tls-verify': true },
    });
    const result = await service.importKubeconfig(text(config, 'insecure.yaml'), []);
    expect(result.status === 'imported' && result.notices).toEqual([
      'cluster "no-tls" sets insecure-skip-tls-verify: the server\'s identity is not checked. Nestlab shows this as a warning.',
    ]);
    expect((await service.list()).contexts.find((context) => context.name === 'no-tls')).toMatchObject({
      insecureSkipTlsVerify: true,
      hasCertificateAuthority: false,
    });
    await service.remove('no-tls');
    storeBefore = await readFile(join(dataDir, ClusterStore.fileName), 'utf8');
  });
});

describe('paths outside the chosen folder', () => {
  it('imports a token file and CA outside the folder without reading them; connecting names the path', async () => {
    const chosen = join(work, 'chosen');
    await mkdir(chosen, { recursive: true });
    const secretsElsewhere = join(work, 'elsewhere', 'token');
    const caElsewhere = join(work, 'elsewhere', 'ca.crt');
    const config = kubeconfig({
      server: 'https://127.0.0.1:1',
      names: { cluster: 'outside', user: 'outside-user', context: 'outside' },
      user: { tokenFile: '../elsewhere/token' },
      cluster: { 'certificate-authority': caElsewhere },
    });
    const path = await writeYaml(join(chosen, 'config'), config);
    const result = await service.importKubeconfig({ kind: 'files', paths: [path] }, []);
    expect(result.status).toBe('imported');
    if (result.status !== 'imported') return;
    expect(result.notices).toEqual([
      `cluster "outside": certificate-authority: ${caElsewhere} is outside the imported file's folder; it is read only when connecting.`,
      `user "outside-user": tokenFile: ${secretsElsewhere} is outside the imported file's folder; it is read only when connecting.`,
    ]);
    const context = result.state.contexts.find((item) => item.name === 'outside')!;
    expect(context.externalFiles.sort()).toEqual([caElsewhere, secretsElsewhere].sort());
    expect(context.auth).toMatchObject({ kind: 'token-file', hasToken: true });

    expect(context.externalFilesAllowed).toBe(false);
    // Nothing outside the folder is read before the user allows these exact files.
    const asked = await service.testConnection('outside');
    expect(asked.ok === false && asked.error).toMatchObject({ code: 'APPROVAL_REQUIRED', details: { files: context.externalFiles } });
    await service.allowExternalFiles('outside', context.externalFiles);

    const test = await service.testConnection('outside');
    expect(test.ok).toBe(false);
    if (test.ok) return;
    expect(test.error.code).toBe('FILE_IO');
    expect(test.error.message).toContain(caElsewhere);
    expect(test.error.details).toMatchObject({ path: caElsewhere });

    await service.remove('outside');
    storeBefore = await readFile(join(dataDir, ClusterStore.fileName), 'utf8');
  });

  it('refuses relative paths in pasted text, which has no folder', async () => {
    const config = kubeconfig({ server: 'https://127.0.0.1:1', user: { 'client-certificate': 'me.crt', 'client-key': 'me.key' } });
    const messages = (await expectRefused(text(config))).map((problem) => problem.message);
    expect(messages[0]).toMatch(/relative path "me.crt" cannot be resolved for pasted text/);
  });
});

describe('credential plugins never run on import', () => {
  let canary: string;
  beforeEach(() => {
    canary = join(work, `plugin-canary-${Math.random().toString(36).slice(2)}`);
  });

  const pluginConfig = (command: string, args: string[], context: string) =>
    kubeconfig({
      server: 'https://127.0.0.1:1',
      names: { cluster: `${context}-cluster`, user: `${context}-user`, context },
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command,
          args,
          env: [{ name: 'PLUGIN_MODE', value: 'lab' }],
          installHint: 'Install the lab-login plugin from the lab wiki.',
        },
      },
    });

  it('shows the exec command verbatim and does not run it on import, list or refresh until approved', async () => {
    const script = `touch '${canary}'; echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"plugin-token"}}'`;
    const result = await service.importKubeconfig(text(pluginConfig('/bin/sh', ['-c', script], 'plugin')), []);
    expect(result.status).toBe('imported');
    expect(existsSync(canary)).toBe(false);

    const context = (await service.list()).contexts.find((item) => item.name === 'plugin')!;
    expect(context.auth.kind).toBe('exec');
    expect(context.auth.plugin).toMatchObject({
      kind: 'exec',
      command: '/bin/sh',
      args: ['-c', script],
      // Its value is kept as a secret and never shown.
      env: [{ name: 'PLUGIN_MODE' }],
      installHint: 'Install the lab-login plugin from the lab wiki.',
      approved: false,
      approvalKey: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await service.refresh('plugin');
    const test = await service.testConnection('plugin');
    expect(test.ok === false && test.error.code).toBe('APPROVAL_REQUIRED');
    expect(existsSync(canary)).toBe(false);

    // Nor does handing its kubeconfig to a terminal, where kubectl would run it.
    expect((await caught(service.kubeconfigYamlFor('plugin'))).code).toBe('APPROVAL_REQUIRED');
    expect(existsSync(canary)).toBe(false);
    // A key for another command does not approve this one.
    expect((await caught(service.approvePlugin('plugin', 'a'.repeat(64)))).code).toBe('CONFLICT');
    await service.approvePlugin('plugin', context.auth.plugin!.approvalKey);
    const afterApproval = await service.testConnection('plugin');
    expect(existsSync(canary)).toBe(true);
    // It ran and its token was used: the (absent) server is what fails now.
    expect(afterApproval.ok === false && afterApproval.error.code).toBe('UNREACHABLE');
    await service.revokePlugin('plugin');
    expect((await service.list()).contexts.find((item) => item.name === 'plugin')!.auth.plugin!.approved).toBe(false);
    await service.remove('plugin');
  });

  it('explains a missing plugin binary (PATH of GUI apps), a failing plugin and a hanging one', async () => {
    const { service: quick, dataDir: quickDir } = await createClustersService({ pluginTimeoutMs: 500 });
    try {
      const approve = async (name: string) => {
        const plugin = (await quick.list()).contexts.find((item) => item.name === name)!.auth.plugin!;
        await quick.approvePlugin(name, plugin.approvalKey);
        const result = await quick.testConnection(name);
        if (result.ok) throw new Error('expected a failure');
        return result.error;
      };
      await quick.importKubeconfig(text(pluginConfig('kubelogin-not-installed', ['get-token'], 'missing')), []);
      const missing = await approve('missing');
      expect(missing.code).toBe('PROGRAM_MISSING');
      expect(missing.message).toMatch(/"kubelogin-not-installed" was not found/);
      expect(missing.message).toMatch(/desktop menu often do not get the PATH your shell has/);
      expect(missing.message).toMatch(/Install the lab-login plugin/);

      await quick.importKubeconfig(text(pluginConfig('/bin/sh', ['-c', 'echo "login expired" >&2; exit 3'], 'failing')), []);
      const failing = await approve('failing');
      expect(failing.code).toBe('PROGRAM_FAILED');
      expect(failing.message).toMatch(/login expired/);

      await quick.importKubeconfig(text(pluginConfig('/bin/sh', ['-c', 'sleep 5'], 'hanging')), []);
      // Stopped by the time limit: had it run to its end, its empty output would fail as not JSON.
      const hanging = await approve('hanging');
      expect(hanging.code).toBe('TIMEOUT');

      // One that ignores SIGTERM is killed after the grace period, its children with it (without
      // SIGKILL this would wait for the hour-long sleep and end in the test's timeout).
      const childPidFile = join(quickDir, 'stubborn-child.pid');
      const stubborn = `trap '' TERM; sleep 3600 & echo $! > '${childPidFile}'; wait; wait`;
      await quick.importKubeconfig(text(pluginConfig('/bin/sh', ['-c', stubborn], 'stubborn')), []);
      expect((await approve('stubborn')).code).toBe('TIMEOUT');
      const childPid = Number(await readFile(childPidFile, 'utf8'));
      // The group's SIGKILL reaches the sleep too; its end is not an event this process can await.
      await waitFor(() => !isRunning(childPid), { timeout: 5_000, description: "the plugin's child is killed" });

      await quick.importKubeconfig(text(pluginConfig('/bin/sh', ['-c', 'echo "Opening browser for login..."'], 'chatty')), []);
      const chatty = await approve('chatty');
      expect(chatty).toMatchObject({ code: 'PROGRAM_FAILED', details: { cause: 'The credential plugin did not print JSON.' } });
      expect(chatty.message).toMatch(/printed text that is not JSON on stdout; it must print one ExecCredential object/);
      expect(chatty.message).not.toContain('Opening browser');

      // 100 MB on stdout: stopped after the first megabyte, not read to the end.
      await quick.importKubeconfig(text(pluginConfig('/bin/sh', ['-c', 'yes | head -c 100000000'], 'flood')), []);
      const flood = await approve('flood');
      expect(flood.code).toBe('PROGRAM_FAILED');
      expect(flood.message).toMatch(/printed more than 1 MB and was stopped; an ExecCredential is a few kilobytes/);
    } finally {
      quick.dispose();
      await rm(quickDir, { recursive: true, force: true });
    }
  });
});

describe('secrets kept only in memory (browser mode)', () => {
  it('says the credentials are gone after a restart, and a re-import fills them in without a clash', async () => {
    const folder = await tempDir('clusters-memory');
    const config = text(kubeconfig({ server: 'https://127.0.0.1:1', token: 'memory-only-token' }));
    const first = new ClustersService({ dataDir: folder, secrets: new MemorySecretStore(), refreshIntervalMs: 0, env: {} });
    expect((await first.importKubeconfig(config, [])).status).toBe('imported');
    first.dispose();

    const restarted = new ClustersService({ dataDir: folder, secrets: new MemorySecretStore(), refreshIntervalMs: 0, env: {} });
    try {
      const lost = await restarted.testConnection('lab-admin@lab');
      expect(lost.ok === false && lost.error).toMatchObject({
        code: 'SECRET_STORAGE_UNAVAILABLE',
        message: expect.stringMatching(/The saved token of user "lab-admin" is gone: .*only in memory.*Import the kubeconfig again\./),
      });
      expect((await caught(restarted.exportContext('lab-admin@lab', { path: join(folder, 'out') }))).code).toBe(
        'SECRET_STORAGE_UNAVAILABLE',
      );
      expect((await restarted.importKubeconfig(config, [])).status).toBe('imported');
      const again = await restarted.testConnection('lab-admin@lab');
      expect(again.ok === false && again.error.code).toBe('UNREACHABLE');
    } finally {
      restarted.dispose();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
