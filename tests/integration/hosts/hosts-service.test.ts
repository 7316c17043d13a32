import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import { LabHosts } from '../../../src/main/hosts/lab-hosts';
import type { HostSummary } from '../../../src/main/hosts/host-types';
import { OsEncryptionSecretStore } from '../../../src/main/secrets/os-encryption-secret-store';
import { createTestOsEncryption } from '../../../src/main/secrets/test-os-encryption';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHost } from '../../harness/ssh/test-host';
import type { TestHost } from '../../harness/ssh/test-host';
import { tempDir } from '../../harness/temp-dir';

/** Canary secrets: they may appear nowhere but in the secret store's ciphertext. */
const loginCanary = 'CANARY-login-91c2e7';

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

describe('LabHosts against real sshd', () => {
  let host: TestHost;
  let dataDir: string;
  let service: LabHosts;
  /** Everything that left the service: return values, errors, events. Checked for canaries. */
  const observed: unknown[] = [];
  const see = <T>(value: T): T => {
    observed.push(value);
    return value;
  };

  beforeAll(async () => {
    host = await startTestHost({ simulation: simulations.nestedOff, password: loginCanary });
    dataDir = await tempDir('hosts-data');
    service = await LabHosts.create({
      dataDir,
      secrets: new OsEncryptionSecretStore({ dataDir, encryption: createTestOsEncryption() }),
      readyTimeoutMs: 5_000,
      reconnect: false,
    });
    service.onDidChangeHosts(see);
    service.onDidChangeConnection(see);
    service.onDidProbeProgress(see);
  });
  afterAll(async () => {
    service?.dispose();
    await host?.stop();
  });

  let added: HostSummary;

  it('adds a password host, reporting only that a password is saved', async () => {
    added = see(
      await service.add({
        name: 'lab; $(touch x) `id` "q"',
        address: '127.0.0.1',
        port: host.port,
        user: host.user,
        auth: { kind: 'password', password: loginCanary },
        // sudo asks for the user's own login password.
        sudoPassword: loginCanary,
      }),
    );
    expect(added).toMatchObject({ name: 'lab; $(touch x) `id` "q"', hasPassword: true, hasSudoPassword: true, auth: { kind: 'password' } });
    expect(added.hostKey).toBeUndefined();
  });

  it('refuses newlines, control characters and leading dashes naming the field', async () => {
    const base = { name: 'x', address: '127.0.0.1', port: host.port, user: host.user, auth: { kind: 'agent' as const } };
    const cases = [
      [{ ...base, address: 'lab\nhost' }, 'address'],
      [{ ...base, user: '-oProxyCommand=touch /tmp/x' }, 'user'],
      [{ ...base, storagePath: '/var/lib/x\n; touch /tmp/x' }, 'storagePath'],
      [{ ...base, name: 'tab\there' }, 'name'],
      [{ ...base, auth: { kind: 'keyFile' as const, path: '-i/etc/shadow' } }, 'keyPath'],
    ] as const;
    for (const [input, field] of cases) {
      const error = see(await caught(service.add(input)));
      expect(error, field).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field } });
    }
  });

  it('shows the key on first contact and runs nothing', async () => {
    const result = see(await service.testConnection(added.id));
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'HOST_KEY_UNKNOWN', details: expect.objectContaining(await host.hostKey()) }),
    });
    expect(await host.sessionCommandLines()).toBe('');
  });

  it('accepts a key only when the host presents that fingerprint', async () => {
    const wrong = see(await caught(service.acceptHostKey(added.id, 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')));
    expect(wrong.code).toBe('INVALID_ARGUMENT');
    expect((await service.get(added.id)).hostKey).toBeUndefined();
    const { fingerprint } = await host.hostKey();
    const accepted = see(await service.acceptHostKey(added.id, fingerprint));
    expect(accepted.hostKey).toMatchObject({ keyType: 'ssh-ed25519', fingerprint });
    expect(see(await service.testConnection(added.id))).toMatchObject({ ok: true, hostKey: { fingerprint } });
  });

  it('probes over the shared connection and streams progress', async () => {
    const phases: string[] = [];
    const subscription = service.onDidProbeProgress((progress) => phases.push(progress.phase));
    const report = see(await service.probe(added.id));
    subscription.dispose();
    expect(phases).toEqual(['connecting', 'probing', 'done']);
    // nested=N on a bare-metal host is a note (lab VMs run no hypervisor); the missing libvirt group is what fails.
    expect(report.checks.find((c) => c.id === 'nested-virtualization')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'libvirt-group')?.status).toBe('fail');
  });

  it('runs as root with the saved sudo password over stdin', async () => {
    const result = see(await service.runAsRoot(added.id, ['printenv', 'NESTLAB_SIMULATED_SUDO']));
    expect(result.stdout).toBe('1\n');
    expect(await host.sessionCommandLines()).not.toContain(loginCanary);
  });

  it('reports a wrong password as SSH_AUTH_FAILED without echoing it', async () => {
    await service.update(added.id, { auth: { kind: 'password', password: `${loginCanary}-wrong` } });
    const result = see(await service.testConnection(added.id));
    expect(result).toMatchObject({ ok: false, error: { code: 'SSH_AUTH_FAILED' } });
    await service.update(added.id, { auth: { kind: 'password', password: loginCanary } });
    expect(see(await service.testConnection(added.id)).ok).toBe(true);
    // Changing how to sign in keeps the sudo password.
    expect((await service.get(added.id)).hasSudoPassword).toBe(true);
  });

  it('signs in with a pasted, passphrase-protected key', async () => {
    const { privateKey } = host.encryptedClientKey;
    const keyed = see(
      await service.update(added.id, { auth: { kind: 'pastedKey', privateKey, passphrase: host.encryptedClientKey.passphrase } }),
    );
    expect(keyed).toMatchObject({ hasPrivateKey: true, hasPassphrase: true, hasPassword: false });
    expect(see(await service.testConnection(added.id)).ok).toBe(true);
    await service.update(added.id, { auth: { kind: 'password', password: loginCanary } });
  });

  it('refuses a changed key with both fingerprints until the old one is forgotten', async () => {
    const old = (await host.hostKey()).fingerprint;
    await host.restartWithNewHostKey();
    const presented = (await host.hostKey()).fingerprint;
    const result = see(await service.testConnection(added.id));
    expect(result).toMatchObject({ ok: false, error: { code: 'HOST_KEY_CHANGED', details: { expected: old, presented } } });
    const refused = see(await caught(service.acceptHostKey(added.id, presented)));
    expect(refused.code).toBe('HOST_KEY_CHANGED');
    await service.forgetHostKey(added.id);
    expect(see(await service.acceptHostKey(added.id, presented)).hostKey?.fingerprint).toBe(presented);
    expect(see(await service.testConnection(added.id)).ok).toBe(true);
  });

  it('fails closed on a corrupt host-key store, keeping the file aside', async () => {
    const path = join(dataDir, 'known-hosts.json');
    await writeFile(path, '{ not json');
    const result = see(await service.testConnection(added.id));
    expect(result).toMatchObject({ ok: false, error: { code: 'HOST_KEY_STORE_CORRUPT' } });
    expect((await readdir(dataDir)).some((name) => name.startsWith('known-hosts.json.corrupt-'))).toBe(true);
    // Still closed: the store is now missing, and the inventory has hosts.
    expect(see(await service.testConnection(added.id))).toMatchObject({ ok: false, error: { code: 'HOST_KEY_STORE_CORRUPT' } });
    const reopened = await LabHosts.create({
      dataDir,
      secrets: new OsEncryptionSecretStore({ dataDir, encryption: createTestOsEncryption() }),
    });
    expect(see(await reopened.testConnection(added.id))).toMatchObject({ ok: false, error: { code: 'HOST_KEY_STORE_CORRUPT' } });
    reopened.dispose();
    await service.resetHostKeyStore();
    expect(see(await service.testConnection(added.id))).toMatchObject({ ok: false, error: { code: 'HOST_KEY_UNKNOWN' } });
  });

  it('never lets a canary secret out: returns, errors, events, files, host logs', async () => {
    const outward = JSON.stringify(observed);
    expect(observed.length).toBeGreaterThan(20);
    const files = await folderText(dataDir);
    expect(files).toContain(host.port.toString());
    const hostSide =
      (await host.sessionCommandLines()) + (await readFile(host.sshdLogPath, 'utf8')) + JSON.stringify(await host.sudoCalls());
    for (const canary of [loginCanary, host.encryptedClientKey.passphrase]) {
      expect(outward).not.toContain(canary);
      expect(files).not.toContain(canary);
      expect(hostSide).not.toContain(canary);
    }
    expect(files).not.toContain('BEGIN OPENSSH PRIVATE KEY');
  });

  it('removes a host with its secrets and host key', async () => {
    await service.remove(added.id);
    expect(await service.list()).toEqual([]);
    const secrets = JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8')) as { entries: object };
    expect(secrets.entries).toEqual({});
    expect(existsSync(join(host.simDir, 'x'))).toBe(false);
  });
});
