import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { keepAside, readJsonFile, writeJsonFile } from '../platform/json-file';
import { SerialQueue } from '../platform/serial-queue';

/** A host key the user accepted. */
export interface KnownHostKey {
  /** e.g. "ssh-ed25519". */
  keyType: string;
  /** "SHA256:..." as OpenSSH prints it. */
  fingerprint: string;
  /** ISO time of acceptance. */
  acceptedAt: string;
}

const storeSchema = z.object({
  version: z.literal(1),
  hosts: z.record(
    z.string(),
    z.object({ keyType: z.string().min(1), fingerprint: z.string().startsWith('SHA256:'), acceptedAt: z.string() }),
  ),
});
type StoreFile = z.infer<typeof storeSchema>;

/**
 * Accepted host keys, one per host id, in `known-hosts.json` in the data folder.
 *
 * Fails closed: a missing or unreadable store throws HOST_KEY_STORE_CORRUPT on every read, so no
 * connection proceeds on the assumption that a host was never seen. A corrupt file is moved aside
 * (`known-hosts.json.corrupt-<time>`) for inspection; only {@link reset} (an explicit user action
 * that makes every host a first contact again) or {@link createIfAbsent} on a fresh data folder
 * creates a new store.
 */
export class KnownHostsStore {
  static readonly fileName = 'known-hosts.json';
  readonly path: string;
  private readonly queue = new SerialQueue();

  constructor(dataDir: string) {
    this.path = join(dataDir, KnownHostsStore.fileName);
  }

  /** Create an empty store unless one exists (a fresh data folder). Never replaces a file. */
  async createIfAbsent(): Promise<void> {
    await this.queue.run(async () => {
      const exists = await readFile(this.path).then(
        () => true,
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : true),
      );
      if (!exists) await this.write({ version: 1, hosts: {} });
    });
  }

  /** The accepted key of a host, or undefined if the user has not accepted one. */
  async get(hostId: string): Promise<KnownHostKey | undefined> {
    return this.queue.run(async () => (await this.load()).hosts[hostId]);
  }

  /** Store (or replace) the accepted key of a host. */
  async set(hostId: string, key: KnownHostKey): Promise<void> {
    await this.queue.run(async () => {
      const store = await this.load();
      store.hosts[hostId] = key;
      await this.write(store);
    });
  }

  /** Forget a host's key: the next connection is a first contact again. */
  async delete(hostId: string): Promise<void> {
    await this.queue.run(async () => {
      const store = await this.load();
      if (!(hostId in store.hosts)) return;
      delete store.hosts[hostId];
      await this.write(store);
    });
  }

  /** Replace a missing or corrupt store with an empty one; a readable one is kept aside first. */
  async reset(): Promise<void> {
    await this.queue.run(async () => {
      await keepAside(this.path, 'replaced');
      await this.write({ version: 1, hosts: {} });
    });
  }

  private async load(): Promise<StoreFile> {
    const read = await readJsonFile(this.path, storeSchema);
    if (read.state === 'ok') return read.value;
    if (read.state !== 'corrupt') {
      const missing = read.state === 'missing';
      throw new AppError(
        'HOST_KEY_STORE_CORRUPT',
        missing
          ? `The store of accepted host keys (${this.path}) is missing, so no host can be verified. ` +
              'Use "Reset host key store" in the Hosts view, then check and accept each host key again after checking its fingerprint.'
          : `The store of accepted host keys (${this.path}) cannot be read. Check its permissions, or use "Reset host key store" in the Hosts view.`,
        { path: this.path, reason: missing ? 'missing' : 'unreadable' },
      );
    }
    const keptAs = await keepAside(this.path, 'corrupt');
    throw new AppError(
      'HOST_KEY_STORE_CORRUPT',
      `The store of accepted host keys was corrupt; it was kept aside as ${keptAs} and no host can be verified. ` +
        'Use "Reset host key store" in the Hosts view, then check and accept each host key again after checking its fingerprint.',
      { path: this.path, keptAs, reason: 'corrupt' },
    );
  }

  private async write(store: StoreFile): Promise<void> {
    await writeJsonFile(this.path, store);
  }
}
