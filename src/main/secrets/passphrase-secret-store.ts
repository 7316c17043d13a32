import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { readJsonFile, writeJsonFile } from '../platform/json-file';
import { SerialQueue } from '../platform/serial-queue';
import type { SecretStore } from './secret-store';

const sealedSchema = z.object({ iv: z.string(), tag: z.string(), data: z.string() });
const fileSchema = z.object({
  version: z.literal(1),
  kdf: z.object({ name: z.literal('scrypt'), salt: z.string(), N: z.number().int(), r: z.number().int(), p: z.number().int() }),
  /** A known value sealed with the key: proves the passphrase before anything is decrypted. */
  check: sealedSchema,
  entries: z.record(z.string(), sealedSchema),
});
type SecretsFile = z.infer<typeof fileSchema>;
type Sealed = z.infer<typeof sealedSchema>;

/** scrypt cost: 2^15 × 8 × 128 B = 32 MiB and ~100 ms per unlock on a laptop. */
const defaultCost = { N: 2 ** 15, r: 8, p: 1 };
const checkText = 'nestlab-passphrase-check';

/**
 * Secrets encrypted with a key derived from a user passphrase (scrypt, then AES-256-GCM with a
 * fresh IV per value and the entry's name as associated data, so values cannot be swapped
 * between entries). For browser mode, where no OS keyring is reachable. File: `secrets-passphrase.json`
 * (0600, atomic writes). The passphrase itself is never stored.
 */
export class PassphraseSecretStore implements SecretStore {
  static readonly fileName = 'secrets-passphrase.json';
  readonly kind = 'passphrase';
  readonly persistent = true;
  private readonly queue = new SerialQueue();

  private constructor(
    readonly path: string,
    private readonly key: Buffer,
    private file: SecretsFile,
  ) {}

  /**
   * Unlock the store in `dataDir` with the passphrase, creating it on first use.
   *
   * @throws AppError SECRET_STORAGE_UNAVAILABLE (details.reason 'wrong-passphrase') when the
   *   passphrase does not open the existing store; FILE_CORRUPT when the file is damaged.
   */
  static async open(
    dataDir: string,
    passphrase: string,
    cost: { N: number; r: number; p: number } = defaultCost,
  ): Promise<PassphraseSecretStore> {
    if (passphrase.length < 8) {
      throw new AppError('INVALID_ARGUMENT', 'The passphrase is too short. Use at least 8 characters.', { field: 'passphrase' });
    }
    const path = join(dataDir, PassphraseSecretStore.fileName);
    const existing = await readExisting(path);
    if (existing === undefined) {
      const salt = randomBytes(16);
      const key = await deriveKey(passphrase, salt, cost);
      const file: SecretsFile = {
        version: 1,
        kdf: { name: 'scrypt', salt: salt.toString('base64'), ...cost },
        check: seal(key, checkText, 'check'),
        entries: {},
      };
      await writeJsonFile(path, file);
      return new PassphraseSecretStore(path, key, file);
    }
    const { salt, N, r, p } = existing.kdf;
    const key = await deriveKey(passphrase, Buffer.from(salt, 'base64'), { N, r, p });
    if (open(key, existing.check, 'check') !== checkText) {
      throw new AppError(
        'SECRET_STORAGE_UNAVAILABLE',
        'The passphrase does not unlock the saved secrets. Enter the passphrase used when they were saved.',
        {
          reason: 'wrong-passphrase',
        },
      );
    }
    return new PassphraseSecretStore(path, key, existing);
  }

  get(key: string): Promise<string | undefined> {
    const sealed = this.file.entries[key];
    if (sealed === undefined) return Promise.resolve(undefined);
    const value = open(this.key, sealed, key);
    if (value === undefined) {
      return Promise.reject(
        new AppError('FILE_CORRUPT', `A saved secret in ${this.path} was altered and cannot be decrypted. Enter it again.`, { key }),
      );
    }
    return Promise.resolve(value);
  }

  has(key: string): Promise<boolean> {
    return Promise.resolve(key in this.file.entries);
  }

  async set(key: string, value: string): Promise<void> {
    await this.update((entries) => {
      entries[key] = seal(this.key, value, key);
    });
  }

  async delete(key: string): Promise<void> {
    await this.update((entries) => {
      delete entries[key];
    });
  }

  async deletePrefix(prefix: string): Promise<void> {
    await this.update((entries) => {
      for (const key of Object.keys(entries)) if (key.startsWith(prefix)) delete entries[key];
    });
  }

  private async update(change: (entries: Record<string, Sealed>) => void): Promise<void> {
    await this.queue.run(async () => {
      const entries = { ...this.file.entries };
      change(entries);
      const next = { ...this.file, entries };
      await writeJsonFile(this.path, next);
      this.file = next;
    });
  }
}

async function readExisting(path: string): Promise<SecretsFile | undefined> {
  const read = await readJsonFile(path, fileSchema);
  if (read.state === 'ok') return read.value;
  if (read.state === 'missing') return undefined;
  if (read.state === 'unreadable') throw new AppError('FILE_IO', `Cannot read ${path}. Check its permissions.`, { path });
  throw new AppError(
    'FILE_CORRUPT',
    `The saved secrets file ${path} is corrupt. Move it away to start over; its secrets must be entered again.`,
    { path },
  );
}

async function deriveKey(passphrase: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, options, (error, key) => (error === null ? resolve(key) : reject(error)));
  });
}

function seal(key: Buffer, value: string, name: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(name, 'utf8'));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** The plain text, or undefined when the key or the ciphertext is wrong (GCM authentication). */
function open(key: Buffer, sealed: Sealed, name: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(name, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
