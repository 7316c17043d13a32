import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { SerializedError } from '../../shared/errors';
import { keepAside, readJsonFile, writeJsonFile } from '../platform/json-file';
import { SerialQueue } from '../platform/serial-queue';

const recordSchema = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  port: z.number().int().min(1).max(65535),
  user: z.string(),
  os: z.enum(['linux', 'windows']),
  auth: z.object({ kind: z.enum(['agent', 'keyFile', 'pastedKey', 'password']), keyPath: z.string().optional() }),
  jumpHostId: z.string().optional(),
  storagePath: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const fileSchema = z.object({ version: z.literal(1), hosts: z.array(recordSchema) });

/** A host as stored in `hosts.json`: everything but secrets. */
export type HostRecord = z.infer<typeof recordSchema>;

/**
 * The host inventory in `hosts.json` (atomic writes). A corrupt file is kept aside and the
 * inventory starts empty, with the problem reported once through {@link loadProblem}.
 */
export class HostInventoryStore {
  static readonly fileName = 'hosts.json';
  readonly path: string;
  private readonly queue = new SerialQueue();
  private hosts: HostRecord[] | undefined;
  private problem: SerializedError | undefined;

  constructor(dataDir: string) {
    this.path = join(dataDir, HostInventoryStore.fileName);
  }

  /** Set when the stored file was unreadable at load (FILE_CORRUPT with details.keptAs). */
  get loadProblem(): SerializedError | undefined {
    return this.problem;
  }

  async list(): Promise<HostRecord[]> {
    return this.queue.run(async () => [...(await this.load())]);
  }

  /** Whether the inventory file exists (false on a fresh data folder). */
  async exists(): Promise<boolean> {
    return readFile(this.path).then(
      () => true,
      () => false,
    );
  }

  /** Apply a change to the list and write it; returns what `change` returns. */
  async update<T>(change: (hosts: HostRecord[]) => T): Promise<T> {
    return this.queue.run(async () => {
      const hosts = [...(await this.load())];
      const result = change(hosts);
      await writeJsonFile(this.path, { version: 1, hosts });
      this.hosts = hosts;
      return result;
    });
  }

  private async load(): Promise<HostRecord[]> {
    if (this.hosts !== undefined) return this.hosts;
    const read = await readJsonFile(this.path, fileSchema);
    if (read.state === 'unreadable') {
      throw new AppError('FILE_IO', `Cannot read the host inventory ${this.path}. Check its permissions.`, { path: this.path });
    }
    if (read.state === 'ok') this.hosts = read.value.hosts;
    else if (read.state === 'missing') this.hosts = [];
    else {
      const keptAs = await keepAside(this.path, 'corrupt');
      this.problem = new AppError('FILE_CORRUPT', `The host inventory was corrupt; it was kept aside as ${keptAs}. Add the hosts again.`, {
        path: this.path,
        keptAs,
      }).toJSON();
      this.hosts = [];
    }
    return this.hosts;
  }
}
