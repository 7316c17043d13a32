import { describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../secrets/memory-secret-store';
import { OsEncryptionSecretStore } from '../secrets/os-encryption-secret-store';
import { createTestOsEncryption } from '../secrets/test-os-encryption';
import { describeSecretStorage } from './secret-storage-info';

const dataDir = '/nonexistent/nestlab-secret-storage-info';

describe('secret storage in words', () => {
  it('says nothing more for a keyring-backed store', () => {
    const store = new OsEncryptionSecretStore({ dataDir, encryption: createTestOsEncryption('gnome_libsecret') });
    expect(describeSecretStorage(store)).toEqual({
      backend: 'os-encryption',
      osBackend: 'gnome_libsecret',
      persistent: true,
      canStore: true,
    });
  });

  it("warns that 'basic_text' stores nothing, and how to opt in", () => {
    const refusing = describeSecretStorage(new OsEncryptionSecretStore({ dataDir, encryption: createTestOsEncryption('basic_text') }));
    expect(refusing).toMatchObject({ osBackend: 'basic_text', canStore: false });
    expect(refusing.warning).toContain('not saved');
    expect(refusing.warning).toContain('NESTLAB_ALLOW_WEAK_SECRET_STORAGE=1');
    const optedIn = describeSecretStorage(
      new OsEncryptionSecretStore({ dataDir, encryption: createTestOsEncryption('basic_text'), allowPlainTextBackend: true }),
    );
    expect(optedIn).toMatchObject({ canStore: true });
    expect(optedIn.warning).toContain('weak protection');
  });

  it('tells browser-mode users that memory secrets last until the server stops', () => {
    const info = describeSecretStorage(new MemorySecretStore());
    expect(info).toMatchObject({ backend: 'memory', persistent: false, canStore: true });
    expect(info.warning).toContain('until the server stops');
  });
});
