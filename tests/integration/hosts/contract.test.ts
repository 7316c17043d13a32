/**
 * The hosts domain through the contract: the real composition root (createServices) behind the
 * in-memory transport (every message through JSON, as over IPC or WebSocket), against real sshd
 * test hosts. Canary secrets go in through add/update and must come back nowhere: not in a
 * result, an event, an error, a log line or a file of the data folder.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HostSummary, PreflightReport, ProbeProgress } from '../../../src/shared/contract';
import { AppError } from '../../../src/shared/errors';
import { Dispatcher } from '../../../src/shared/rpc/dispatcher';
import { connectInMemory } from '../../../src/shared/rpc/in-memory';
import type { Api } from '../../../src/shared/rpc/client';
import { OsEncryptionSecretStore } from '../../../src/main/secrets/os-encryption-secret-store';
import { createTestOsEncryption } from '../../../src/main/secrets/test-os-encryption';
import { createServices, type AppServices } from '../../../src/main/services';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHosts, type TestHost } from '../../harness/ssh/test-host';
import { tempDir } from '../../harness/temp-dir';

/** The test hosts' real login passwords, and a wrong one: each is a canary. */
const nestedOnPassword = 'CANARY-contract-nested-4f1a9c';
const noKvmPassword = 'CANARY-contract-nokvm-77d20e';
const wrongPassword = 'CANARY-contract-wrong-0b3e58';
const canaries = [nestedOnPassword, noKvmPassword, wrongPassword];

async function caught(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function folderText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true });
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8').catch(() => '')));
  return texts.join('\n');
}

function statuses(report: PreflightReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((check) => [check.id, check.status]));
}

describe('hosts contract over the in-memory transport, against real sshd', () => {
  let nestedOn: TestHost;
  let noKvm: TestHost;
  let dataDir: string;
  let services: AppServices;
  let api: Api;
  let close: (() => void) | undefined;
  /** Everything the client received: results, errors (and their messages), events, log lines. */
  const received: unknown[] = [];
  const seen = async <T>(promise: Promise<T>): Promise<T> => {
    try {
      const value = await promise;
      received.push(value);
      return value;
    } catch (error) {
      received.push(error, (error as Error).message);
      throw error;
    }
  };
  const progress: ProbeProgress[] = [];

  beforeAll(async () => {
    [nestedOn, noKvm] = (await startTestHosts([
      { simulation: simulations.nestedOn, password: nestedOnPassword },
      { simulation: simulations.noKvm, password: noKvmPassword },
    ])) as [TestHost, TestHost];
    dataDir = await tempDir('hosts-contract');
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => received.push(args));
    }
    services = await createServices({
      mode: 'browser',
      appVersion: '0.0.0-test',
      dataDir,
      secrets: new OsEncryptionSecretStore({ dataDir, encryption: createTestOsEncryption() }),
    });
    ({ api, close } = connectInMemory(new Dispatcher(services)));
    api.hosts.onDidChangeHosts((hosts) => received.push(hosts));
    api.hosts.onDidChangeConnection((change) => received.push(change));
    api.hosts.onDidProbeProgress((event) => {
      received.push(event);
      progress.push(event);
    });
  });
  afterAll(async () => {
    // Set-up may have failed half way: stop only what started, so its error is the one reported.
    close?.();
    await services?.dispose();
    vi.restoreAllMocks();
    await Promise.all([nestedOn?.stop(), noKvm?.stop()]);
  });

  let host: HostSummary;

  it('reports where secrets are kept', async () => {
    expect(await seen(api.hosts.secretStorage())).toMatchObject({ backend: 'os-encryption', persistent: true, canStore: true });
  });

  it('adds a password host: the summary says a password is saved, never what it is', async () => {
    host = await seen(
      api.hosts.add({
        name: 'nested-on',
        address: '127.0.0.1',
        port: nestedOn.port,
        user: nestedOn.user,
        auth: { kind: 'password', password: nestedOnPassword },
        sudoPassword: nestedOnPassword,
      }),
    );
    expect(host).toMatchObject({ name: 'nested-on', hasPassword: true, hasSudoPassword: true, auth: { kind: 'password' }, os: 'linux' });
    expect(host.hostKey).toBeUndefined();
    expect(await seen(api.hosts.list())).toEqual([host]);
  });

  it('answers first contact with HOST_KEY_UNKNOWN, the key type and fingerprint, having run nothing', async () => {
    const result = await seen(api.hosts.testConnection(host.id));
    const presented = await nestedOn.hostKey();
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'HOST_KEY_UNKNOWN', details: expect.objectContaining(presented) }),
    });
    expect(await seen(api.hosts.scanHostKey(host.id))).toEqual(presented);
    expect(await nestedOn.sessionCommandLines()).toBe('');
  });

  it('accepts the key, then connects and probes the nested-virtualization host', async () => {
    const { fingerprint } = await nestedOn.hostKey();
    host = await seen(api.hosts.acceptHostKey(host.id, fingerprint));
    expect(host.hostKey).toMatchObject({ keyType: 'ssh-ed25519', fingerprint });
    expect(await seen(api.hosts.testConnection(host.id))).toMatchObject({ ok: true, hostKey: { fingerprint } });

    progress.length = 0;
    const report = await seen(api.hosts.probe(host.id));
    expect(report.status).toBe('pass');
    expect(report.checks.filter((check) => check.status !== 'pass')).toEqual([]);
    expect(report.capacity).toMatchObject({ hypervisor: 'kvm', cpus: 16, memoryMiB: 65536, nestedVirtualization: true });
    await vi.waitFor(() => expect(progress.map((event) => event.phase)).toEqual(['connecting', 'probing', 'done']));
    expect(progress.at(-1)?.report).toEqual(report);
  });

  it('probes the host without KVM: failing rows, each with its fix', async () => {
    const added = await seen(
      api.hosts.add({
        name: 'no-kvm',
        address: '127.0.0.1',
        port: noKvm.port,
        user: noKvm.user,
        auth: { kind: 'password', password: noKvmPassword },
      }),
    );
    await seen(api.hosts.acceptHostKey(added.id, (await noKvm.hostKey()).fingerprint));
    const report = await seen(api.hosts.probe(added.id));
    expect(report.status).toBe('fail');
    expect(statuses(report)).toMatchObject({ 'cpu-virtualization': 'fail', 'dev-kvm': 'fail' });
    for (const check of report.checks.filter((c) => c.status === 'fail')) expect(check.fix, check.id).toBeTruthy();
    expect(report.capacity).toMatchObject({ cpus: 4, nestedVirtualization: false });
  });

  it('cancels a probe in flight by host id', async () => {
    const probing = new Promise<void>((resolve) => {
      const subscription = api.hosts.onDidProbeProgress((event) => {
        if (event.hostId === host.id && event.phase === 'probing') {
          subscription.dispose();
          resolve();
        }
      });
    });
    const probe = seen(api.hosts.probe(host.id));
    await probing;
    await api.hosts.cancelProbe(host.id);
    const error = await caught(probe);
    expect(error.code).toBe('CANCELLED');
    // The connection is still usable afterwards.
    expect(await seen(api.hosts.testConnection(host.id))).toMatchObject({ ok: true });
  });

  it('updates the password: a wrong one is refused by sshd, the right one works again', async () => {
    await seen(api.hosts.update(host.id, { auth: { kind: 'password', password: wrongPassword } }));
    const refused = await seen(api.hosts.testConnection(host.id));
    expect(refused).toMatchObject({ ok: false, error: { code: 'SSH_AUTH_FAILED' } });
    host = await seen(api.hosts.update(host.id, { auth: { kind: 'password', password: nestedOnPassword }, sudoPassword: null }));
    expect(host).toMatchObject({ hasPassword: true, hasSudoPassword: false });
    expect(await seen(api.hosts.testConnection(host.id))).toMatchObject({ ok: true });
    expect((await seen(api.hosts.probe(host.id))).status).toBe('pass');
  });

  it('refuses invalid arguments at the schema, before the service sees them', async () => {
    const base = { name: 'x', address: '127.0.0.1', user: 'u', auth: { kind: 'agent' as const } };
    const cases: unknown[][] = [
      [{ ...base, port: 70_000 }],
      [{ ...base, port: 22.5 }],
      [{ ...base, user: '' }],
      [{ ...base, os: 'plan9' }],
      [{ ...base, auth: { kind: 'telnet' } }],
      [{ ...base, auth: { kind: 'password', password: '' } }],
      [{ ...base, auth: { kind: 'password', password: wrongPassword, extra: true } }],
      [{ ...base, shell: 'touch /tmp/pwned' }],
      [{ name: 'x', address: '127.0.0.1', user: 'u' }],
    ];
    const add = api.hosts.add as (...args: unknown[]) => Promise<unknown>;
    for (const args of cases) {
      const error = await caught(seen(add(...args)));
      expect(error.code, JSON.stringify(args)).toBe('INVALID_ARGUMENT');
      expect(error.details?.issues, JSON.stringify(args)).toBeDefined();
    }
    const accept = api.hosts.acceptHostKey as (...args: unknown[]) => Promise<unknown>;
    expect((await caught(seen(accept(host.id, 'not-a-fingerprint')))).code).toBe('INVALID_ARGUMENT');
    const update = api.hosts.update as (...args: unknown[]) => Promise<unknown>;
    expect((await caught(seen(update(host.id, { port: '22' })))).code).toBe('INVALID_ARGUMENT');
    expect((await caught(seen(update(host.id)))).code).toBe('INVALID_ARGUMENT');
    expect((await seen(api.hosts.list())).map((h) => h.name)).toEqual(['nested-on', 'no-kvm']);
  });

  it('keeps the service checks behind the schema (a leading dash names the field)', async () => {
    const error = await caught(
      seen(api.hosts.add({ name: 'dash', address: '127.0.0.1', user: '-oProxyCommand=touch /tmp/x', auth: { kind: 'agent' } })),
    );
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'user' } });
  });

  it('shows a changed host key as refused with both fingerprints; only forgetting clears it', async () => {
    const old = (await nestedOn.hostKey()).fingerprint;
    await nestedOn.restartWithNewHostKey();
    const presented = (await nestedOn.hostKey()).fingerprint;
    expect(presented).not.toBe(old);
    const refused = await seen(api.hosts.testConnection(host.id));
    expect(refused).toMatchObject({ ok: false, error: { code: 'HOST_KEY_CHANGED', details: { expected: old, presented } } });
    expect((await caught(seen(api.hosts.acceptHostKey(host.id, presented)))).code).toBe('HOST_KEY_CHANGED');
    host = await seen(api.hosts.forgetHostKey(host.id));
    expect(host.hostKey).toBeUndefined();
    expect(await seen(api.hosts.testConnection(host.id))).toMatchObject({ ok: false, error: { code: 'HOST_KEY_UNKNOWN' } });
    host = await seen(api.hosts.acceptHostKey(host.id, presented));
    expect(await seen(api.hosts.testConnection(host.id))).toMatchObject({ ok: true });
  });

  it('refuses every connection on a corrupt host-key store until the user resets it; then first contact again', async () => {
    await writeFile(join(dataDir, 'known-hosts.json'), '{ not json');
    const refused = await seen(api.hosts.testConnection(host.id));
    expect(refused).toMatchObject({ ok: false, error: { code: 'HOST_KEY_STORE_CORRUPT' } });
    if (refused.ok) return;
    expect(refused.error.message).toContain('Reset host key store');
    await seen(api.hosts.resetHostKeyStore());
    const first = await seen(api.hosts.testConnection(host.id));
    expect(first).toMatchObject({ ok: false, error: { code: 'HOST_KEY_UNKNOWN' } });
    host = await seen(api.hosts.acceptHostKey(host.id, (await nestedOn.hostKey()).fingerprint));
    expect(await seen(api.hosts.testConnection(host.id))).toMatchObject({ ok: true });
  });

  it('removes a host with its secrets', async () => {
    await seen(api.hosts.remove(host.id));
    expect((await caught(seen(api.hosts.get(host.id)))).code).toBe('NOT_FOUND');
    const secrets = JSON.parse(await readFile(join(dataDir, OsEncryptionSecretStore.fileName), 'utf8')) as { entries: object };
    expect(Object.keys(secrets.entries).some((key) => key.includes(host.id))).toBe(false);
  });

  it('let no canary out: not in any payload, event, error or log line, nor in any file of the data folder', async () => {
    expect(received.length).toBeGreaterThan(30);
    const everything = JSON.stringify(received, (_key, value: unknown) =>
      value instanceof Error ? { message: value.message, details: (value as AppError).details, stack: value.stack } : value,
    );
    const files = await folderText(dataDir);
    expect(files).toContain('host/'); // the secret store has entries: the check is not vacuous
    for (const canary of canaries) {
      expect(everything, canary).not.toContain(canary);
      expect(files, canary).not.toContain(canary);
    }
  });
});
