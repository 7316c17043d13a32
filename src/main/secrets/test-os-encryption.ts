import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { OsEncryption } from './os-encryption';

/**
 * A stand-in for Electron safeStorage in unit tests (no Electron binary here): real AES-GCM with a
 * per-instance key, and a settable backend so the 'basic_text' refusal can be tested.
 */
export function createTestOsEncryption(backend = 'gnome_libsecret', available = true): OsEncryption {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: () => available,
    backend: () => backend,
    encryptString: (plainText) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), data]);
    },
    decryptString: (encrypted) => {
      const decipher = createDecipheriv('aes-256-gcm', key, encrypted.subarray(0, 12));
      decipher.setAuthTag(encrypted.subarray(12, 28));
      return Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}
