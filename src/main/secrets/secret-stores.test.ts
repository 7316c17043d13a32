import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/harness/temp-dir';
import { AppError } from '../../shared/errors';
import { MemorySecretStore } from './memory-secret-store';
import { OsEncryptionSecretStore } from './os-encryption-secret-store';
import { PassphraseSecretStore } from './passphrase-secret-store';
import type { SecretStore } from './secret-store';
import { createTestOsEncryption } from './test-os-encryption';

const canary = 'CANARY-secret-2b9e41-value';
const fastCost = { N: 2 ** 10, r: 8, p: 1 };

async function everyFileText(dir: string): Promise<string> {
  const names = await readdir(dir);
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
  return texts.join('\n');
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('secret stores', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('secrets');
  });

  const contract = async (store: SecretStore): Promise<void> => {
    expect(await store.get('host/a/password')).toBeUndefined();
    await store.set('host/a/password', canary);
    await store.set('host/a/passphrase', 'p2');
    await store.set('host/b/password', 'p3');
    expect(await store.get('host/a/password')).toBe(canary);
    expect(await store.has('host/a/password')).toBe(true);
    await store.deletePrefix('host/a/');
    expect(await store.has('host/a/password')).toBe(false);
    expect(await store.has('host/a/passphrase')).toBe(false);
    expect(await store.get('host/b/password')).toBe('p3');
    await store.delete('host/b/password');
    expect(await store.has('host/b/password')).toBe(false);
  };

  it('memory store keeps values only in memory', async () => {
    const store = new MemorySecretStore();
    await contract(store);
    expect(store.persistent).toBe(false);
  });

  it('OS-encryption store keeps only ciphertext on disk, mode 0600', async () => {
    const encryption = createTestOsEncryption();
    const store = new OsEncryptionSecretStore({ dataDir: dir, encryption });
    await contract(store);
    await store.set('host/c/password', canary);
    expect(await everyFileText(dir)).not.toContain(canary);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect(await new OsEncryptionSecretStore({ dataDir: dir, encryption }).get('host/c/password')).toBe(canary);
  });

  it('OS-encryption store refuses the plain-text backend unless the user opted in', async () => {
    const encryption = createTestOsEncryption('basic_text');
    const refusing = new OsEncryptionSecretStore({ dataDir: dir, encryption });
    expect(refusing.status()).toEqual({ available: false, backend: 'basic_text', needsOptIn: true });
    const error = await caught(refusing.set('host/a/password', canary));
    expect(error.code).toBe('SECRET_STORAGE_UNAVAILABLE');
    expect(JSON.stringify(error)).not.toContain(canary);
    expect(await readdir(dir)).toEqual([]);
    const optedIn = new OsEncryptionSecretStore({ dataDir: dir, encryption, allowPlainTextBackend: true });
    await optedIn.set('host/a/password', canary);
    expect(await optedIn.get('host/a/password')).toBe(canary);
  });

  it('OS-encryption store refuses when encryption is unavailable', async () => {
    const store = new OsEncryptionSecretStore({ dataDir: dir, encryption: createTestOsEncryption('dpapi', false) });
    expect((await caught(store.set('k', canary))).code).toBe('SECRET_STORAGE_UNAVAILABLE');
  });

  it('passphrase store encrypts at rest and needs the same passphrase to open', async () => {
    const store = await PassphraseSecretStore.open(dir, 'correct horse battery', fastCost);
    await contract(store);
    await store.set('host/c/password', canary);
    expect(await everyFileText(dir)).not.toContain(canary);
    expect(await everyFileText(dir)).not.toContain('correct horse battery');
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    const reopened = await PassphraseSecretStore.open(dir, 'correct horse battery', fastCost);
    expect(await reopened.get('host/c/password')).toBe(canary);
    const wrong = await caught(PassphraseSecretStore.open(dir, 'wrong passphrase!'));
    expect(wrong).toMatchObject({ code: 'SECRET_STORAGE_UNAVAILABLE', details: { reason: 'wrong-passphrase' } });
  });

  it('passphrase store detects a value moved to another entry', async () => {
    const store = await PassphraseSecretStore.open(dir, 'correct horse battery', fastCost);
    await store.set('host/a/password', canary);
    await store.set('host/b/password', 'other');
    const file = JSON.parse(await readFile(store.path, 'utf8')) as { entries: Record<string, unknown> };
    file.entries['host/b/password'] = file.entries['host/a/password'];
    await writeFile(store.path, JSON.stringify(file));
    const reopened = await PassphraseSecretStore.open(dir, 'correct horse battery', fastCost);
    const error = await caught(reopened.get('host/b/password'));
    expect(error.code).toBe('FILE_CORRUPT');
    expect(JSON.stringify(error)).not.toContain(canary);
  });
});
