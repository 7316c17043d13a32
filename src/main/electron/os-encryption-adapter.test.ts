import { readdir } from 'node:fs/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { OsEncryptionSecretStore } from '../secrets/os-encryption-secret-store';
import { osEncryptionFromSafeStorage, type SafeStorageLike } from './os-encryption-adapter';
import { tempDir } from '../../../tests/harness/temp-dir';

/** A safeStorage double: reversible, visibly not plain text. */
function fakeSafeStorage(backend: string): SafeStorageLike {
  return {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString: (text) => Buffer.from([...Buffer.from(text, 'utf8')].map((byte) => byte ^ 0x5a)),
    decryptString: (data) => Buffer.from([...data].map((byte) => byte ^ 0x5a)).toString('utf8'),
  };
}

describe('safeStorage adapter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('os-encryption');
  });

  it('names the backend per platform', () => {
    expect(osEncryptionFromSafeStorage(fakeSafeStorage('gnome_libsecret'), 'linux').backend()).toBe('gnome_libsecret');
    expect(osEncryptionFromSafeStorage(fakeSafeStorage('unknown'), 'win32').backend()).toBe('dpapi');
    expect(osEncryptionFromSafeStorage(fakeSafeStorage('unknown'), 'darwin').backend()).toBe('keychain');
  });

  it('stores through a keyring backend', async () => {
    const store = new OsEncryptionSecretStore({
      dataDir: dir,
      encryption: osEncryptionFromSafeStorage(fakeSafeStorage('kwallet5'), 'linux'),
    });
    await store.set('host/a/password', 'CANARY-adapter');
    expect(await store.get('host/a/password')).toBe('CANARY-adapter');
  });

  it("refuses to store with 'basic_text' unless the user opted in, and writes nothing", async () => {
    const encryption = osEncryptionFromSafeStorage(fakeSafeStorage('basic_text'), 'linux');
    const refusing = new OsEncryptionSecretStore({ dataDir: dir, encryption });
    await expect(refusing.set('host/a/password', 'CANARY-adapter')).rejects.toMatchObject({ code: 'SECRET_STORAGE_UNAVAILABLE' });
    expect(await readdir(dir)).toEqual([]);
    const optedIn = new OsEncryptionSecretStore({ dataDir: dir, encryption, allowPlainTextBackend: true });
    await optedIn.set('host/a/password', 'CANARY-adapter');
    expect(await optedIn.get('host/a/password')).toBe('CANARY-adapter');
  });
});
