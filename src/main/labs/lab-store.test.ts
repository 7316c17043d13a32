import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LabStatus } from '../../shared/contract/labs';
import { LabStore, type LabRecord } from './lab-store';
import { testPlan } from './test-plans';
import { tempDir } from '../../../tests/harness/temp-dir';

let dataDir: string;
beforeEach(async () => {
  dataDir = await tempDir('lab-store');
});

function record(status: LabStatus, padding: number): LabRecord {
  const now = new Date().toISOString();
  // Records of very different sizes make overlapping writes finish out of call order.
  return {
    version: 1,
    id: 'lab-id',
    plan: { ...testPlan(), registryMirror: `https://mirror.lab/${'x'.repeat(padding)}` },
    status,
    machines: [],
    removing: [],
    createdAt: now,
    updatedAt: now,
  };
}

describe('LabStore', () => {
  it('keeps the last written state when writes of one lab overlap (a timer flush and the final one)', async () => {
    const store = new LabStore(dataDir);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 40; i += 1) writes.push(store.write(record('running', i % 2 === 0 ? 200_000 : 10)));
    writes.push(store.write(record('cancelled', 10)));
    await Promise.all(writes);
    expect((await store.read(testPlan().name)).status).toBe('cancelled');
  });

  it('a delete after writes leaves no lab behind', async () => {
    const store = new LabStore(dataDir);
    const write = store.write(record('running', 100_000));
    const removal = store.delete(testPlan().name);
    await Promise.all([write, removal]);
    expect(await store.exists(testPlan().name)).toBe(false);
  });
});

describe('LabStore names', () => {
  it('never turns a name that is not a DNS label into a path: ../ cannot read or delete outside the labs folder', async () => {
    await writeFile(join(dataDir, 'hosts.json'), '{"version":1}\n');
    const store = new LabStore(dataDir);
    for (const name of ['../hosts', '..', 'a/../../hosts', 'Lab1', 'lab 1', '.hidden']) {
      await expect(store.read(name)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(store.delete(name)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(await readFile(join(dataDir, 'hosts.json'), 'utf8')).toBe('{"version":1}\n');
    expect(await store.list()).toEqual([]);
  });
});
