import type { OsEncryption } from '../secrets/os-encryption';

/** The part of Electron's `safeStorage` the adapter uses (structural, so it can be tested without Electron). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  getSelectedStorageBackend(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * Electron safeStorage as the secret store's OsEncryption. On Linux the backend is what Chromium
 * picked ('basic_text' = no keyring: the store then refuses to save unless the user opted in);
 * Windows always uses DPAPI and macOS the Keychain. Call after app 'ready' (before it, Linux
 * reports 'unknown' and encryption as unavailable).
 */
export function osEncryptionFromSafeStorage(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): OsEncryption {
  return {
    isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
    backend: () => (platform === 'linux' ? safeStorage.getSelectedStorageBackend() : platform === 'win32' ? 'dpapi' : 'keychain'),
    encryptString: (plainText) => safeStorage.encryptString(plainText),
    decryptString: (encrypted) => safeStorage.decryptString(encrypted),
  };
}
