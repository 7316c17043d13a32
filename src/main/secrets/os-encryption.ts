/**
 * The OS encryption the Electron shell provides (Electron's `safeStorage`), injected so services
 * stay plain Node. The Electron composition root passes an adapter:
 * `{ isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
 *    backend: () => process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : process.platform === 'win32' ? 'dpapi' : 'keychain',
 *    encryptString: (s) => safeStorage.encryptString(s), decryptString: (b) => safeStorage.decryptString(b) }`.
 */
export interface OsEncryption {
  isEncryptionAvailable(): boolean;
  /**
   * The backend in use: 'basic_text' means Linux without a keyring, where Chromium encrypts with
   * a hard-coded key (obfuscation, not protection). Others: 'gnome_libsecret', 'kwallet',
   * 'kwallet5', 'kwallet6', 'dpapi', 'keychain', 'unknown'.
   */
  backend(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}
