import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabEndpointAccess, LabMachine, LabOperation, LabPlan, LabStatus, SelfHealingState } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { LAB_NAME_PATTERN } from '../../shared/schemas/labs';
import { readJsonFile, writeJsonFile, type JsonSchema } from '../platform/json-file';
import { SerialQueue } from '../platform/serial-queue';
import type { EtcdOperationRequest } from './day2/etcd-snapshots';
import type { MachineOperationRequest } from './day2/machine-operations';
import { withNetworkDefaults } from './network-allocation';

/** Any JSON: a lab's record is checked as it is used (withNetworkDefaults fills what older files lack). */
const anyJson: JsonSchema<unknown> = { safeParse: (value) => ({ success: true, data: value }) };

/** What is persisted of a lab: enough to resume any operation after a restart. No secrets. */
export interface LabRecord {
  version: 1;
  /** Random id, part of each VM's cloud-init instance-id. */
  id: string;
  plan: LabPlan;
  status: LabStatus;
  /** Every machine the lab has now (including workers a scale-down is removing). */
  machines: LabMachine[];
  /** Workers a scale-down is removing (their names). */
  removing: string[];
  context?: string;
  /** How this computer reaches the API server (the SSH tunnel, if any, is opened again at start). */
  endpointAccess?: LabEndpointAccess;
  /** The lab snapshot a 'lab-snapshot' or 'lab-revert' operation is about. */
  labSnapshot?: string;
  /**
   * `etcd`: what an etcd snapshot operation was asked for (day2/etcd-operations.ts); `node`: what
   * a machine operation was (day2/machine-operations.ts).
   */
  operation?: LabOperation & { drainTimeoutSeconds?: number; etcd?: EtcdOperationRequest; node?: MachineOperationRequest };
  /** Self-healing of the workers: settings, a tripped guard, the last events (day2/self-healing.ts). */
  selfHealing?: SelfHealingState;
  createdAt: string;
  updatedAt: string;
}

/** One JSON file per lab in <data>/labs/, written atomically. */
export class LabStore {
  private readonly dir: string;
  /**
   * One queue per lab: writes and deletes of one lab run one after another, in call order. Two
   * overlapping atomic writes could otherwise rename in the wrong order and leave the older state
   * on disk (a timer's flush finishing after the operation's final one). Labs are few, so a queue
   * is kept for each name ever written.
   */
  private readonly queues = new Map<string, SerialQueue>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'labs');
  }

  /** The lab's file; a name that is not a DNS label (`../hosts`) never becomes a path. */
  private path(name: string): string {
    if (!LAB_NAME_PATTERN.test(name)) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `"${name}" is not a lab name: lab names are DNS labels (lower-case letters, digits and "-").`,
        {
          field: 'name',
        },
      );
    }
    return join(this.dir, `${name}.json`);
  }

  async list(): Promise<LabRecord[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch {
      return [];
    }
    const records: LabRecord[] = [];
    const names = files.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
    for (const name of names.filter((n) => LAB_NAME_PATTERN.test(n)).sort()) records.push(await this.read(name));
    return records;
  }

  async read(name: string): Promise<LabRecord> {
    const path = this.path(name);
    const read = await readJsonFile(path, anyJson);
    if (read.state === 'missing' || read.state === 'unreadable') {
      throw new AppError('NOT_FOUND', `There is no lab named "${name}".`, { lab: name });
    }
    if (read.state === 'ok') {
      try {
        const record = read.value as LabRecord;
        return { ...record, plan: withNetworkDefaults(record.plan) };
      } catch {
        // A record without a plan is as unusable as broken JSON.
      }
    }
    throw new AppError('FILE_CORRUPT', `The state of lab "${name}" (${this.path(name)}) is not readable JSON.`, {
      path: this.path(name),
    });
  }

  async exists(name: string): Promise<boolean> {
    return this.read(name).then(
      () => true,
      () => false,
    );
  }

  write(record: LabRecord): Promise<void> {
    // A copy as it is now: the caller may change the record before the write's turn comes.
    const copy = structuredClone(record);
    return this.inOrder(record.plan.name, () => writeJsonFile(this.path(record.plan.name), copy));
  }

  delete(name: string): Promise<void> {
    return this.inOrder(name, () => rm(this.path(name), { force: true }));
  }

  private inOrder(name: string, task: () => Promise<void>): Promise<void> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new SerialQueue();
      this.queues.set(name, queue);
    }
    return queue.run(task);
  }
}
