import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { readJsonFile, writeJsonFile } from '../platform/json-file';
import type { OsEncryption } from './os-encryption';
import type { SecretStore } from './secret-store';
import { SerialQueue } from '../platform/serial-queue';

const fileSchema = z.object({ version: z.literal(1), entries: z.record(z.string(), z.string()) });
type SecretsFile = z.infer<typeof fileSchema>;

/** Options for {@link OsEncryptionSecretStore}. */
export interface OsEncryptionSecretStoreOptions {
  dataDir: string;
  encryption: OsEncryption;
  /**
   * The user explicitly accepted that, without a keyring, secrets are only obfuscated
   * (safeStorage's 'basic_text' backend). Off by default: then nothing is stored.
   */
  allowPlainTextBackend?: boolean;
}

/** How safe storing would be right now; the settings view shows the warning from this. */
export interface SecretStorageStatus {
  available: boolean;
  backend: string;
  /** True when storing needs the user's opt-in (Linux without a keyring). */
  needsOptIn: boolean;
}

/**
 * Secrets encrypted with the OS (Electron safeStorage: DPAPI, Keychain, libsecret/kwallet),
 * stored as base64 ciphertext in `secrets.json` (mode 0600, atomic writes).
 */
export class OsEncryptionSecretStore implements SecretStore {
  static readonly fileName = 'secrets.json';
  readonly kind = 'os-encryption';
  readonly persistent = true;
  readonly path: string;
  private readonly queue = new SerialQueue();

  constructor(private readonly options: OsEncryptionSecretStoreOptions) {
    this.path = join(options.dataDir, OsEncryptionSecretStore.fileName);
  }

  status(): SecretStorageStatus {
    const available = this.options.encryption.isEncryptionAvailable();
    const backend = this.options.encryption.backend();
    const plain = backend === 'basic_text';
    return { available: available && (!plain || this.options.allowPlainTextBackend === true), backend, needsOptIn: plain };
  }

  async get(key: string): Promise<string | undefined> {
    const encrypted = (await this.queue.run(() => this.load())).entries[key];
    if (encrypted === undefined) return undefined;
    try {
      return this.options.encryption.decryptString(Buffer.from(encrypted, 'base64'));
    } catch {
      throw new AppError(
        'SECRET_STORAGE_UNAVAILABLE',
        'A saved secret could not be decrypted (the OS keyring changed or is locked). Unlock the keyring, or enter the password again.',
        { key },
      );
    }
  }

  async has(key: string): Promise<boolean> {
    return key in (await this.queue.run(() => this.load())).entries;
  }

  async set(key: string, value: string): Promise<void> {
    this.assertSafe();
    const encrypted = this.options.encryption.encryptString(value).toString('base64');
    await this.update((file) => {
      file.entries[key] = encrypted;
    });
  }

  async delete(key: string): Promise<void> {
    await this.update((file) => {
      delete file.entries[key];
    });
  }

  async deletePrefix(prefix: string): Promise<void> {
    await this.update((file) => {
      for (const key of Object.keys(file.entries)) if (key.startsWith(prefix)) delete file.entries[key];
    });
  }

  private assertSafe(): void {
    const { available, backend, needsOptIn } = this.status();
    if (available) return;
    throw new AppError(
      'SECRET_STORAGE_UNAVAILABLE',
      needsOptIn
        ? 'No OS keyring is available (Linux without gnome-keyring or KWallet), so a saved password would only be obfuscated. Nothing was stored. Install and unlock a keyring, use ssh-agent or a key file, or start Nestlab with NESTLAB_ALLOW_WEAK_SECRET_STORAGE=1 to accept weak protection.'
        : 'OS encryption is not available, so nothing was stored. Use ssh-agent or a key file, or enter the password each time.',
      { backend },
    );
  }

  private async update(change: (file: SecretsFile) => void): Promise<void> {
    await this.queue.run(async () => {
      const file = await this.load();
      change(file);
      await writeJsonFile(this.path, file);
    });
  }

  private async load(): Promise<SecretsFile> {
    const read = await readJsonFile(this.path, fileSchema);
    if (read.state === 'ok') return read.value;
    if (read.state === 'missing') return { version: 1, entries: {} };
    if (read.state === 'unreadable') throw new AppError('FILE_IO', `Cannot read ${this.path}. Check its permissions.`, { path: this.path });
    throw new AppError('FILE_CORRUPT', `The saved secrets file ${this.path} is corrupt. Remove it and enter the passwords again.`, {
      path: this.path,
    });
  }
}
