/**
 * The labs domain through the contract: the real composition root (createServices) behind the
 * in-memory transport (every message through JSON). No host: argument checks, an unknown lab's
 * NOT_FOUND, a dry run and a refused plan keep their shape across the boundary.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type AppServices } from '../../../src/main/services';
import { defaultLabPlan } from '../../../src/shared/contract/labs';
import type { LabPlan } from '../../../src/shared/contract/labs';
import { AppError } from '../../../src/shared/errors';
import type { Api } from '../../../src/shared/rpc/client';
import { Dispatcher } from '../../../src/shared/rpc/dispatcher';
import { connectInMemory } from '../../../src/shared/rpc/in-memory';
import { tempDir } from '../../harness/temp-dir';

let dataDir: string;
let services: AppServices;
let api: Api;
let close: () => void;

async function caught(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

beforeAll(async () => {
  dataDir = await tempDir('labs-contract');
  services = await createServices({ mode: 'browser', appVersion: '0.0.0-test', dataDir });
  ({ api, close } = connectInMemory(new Dispatcher(services)));
});

afterAll(async () => {
  close?.();
  await services?.dispose();
});

describe('labs through the contract', () => {
  it('lists no labs and answers NOT_FOUND for an unknown one', async () => {
    expect(await api.labs.list()).toEqual([]);
    expect((await caught(api.labs.get('nope'))).code).toBe('NOT_FOUND');
  });

  it('refuses malformed arguments before the service sees them', async () => {
    const plan = { ...defaultLabPlan('h'), controlPlaneCount: 2 } as unknown as LabPlan;
    expect((await caught(api.labs.dryRun(plan))).code).toBe('INVALID_ARGUMENT');
    expect((await caught(api.labs.scale('lab1', { linuxWorkers: 1.5, windowsWorkers: 0 }))).code).toBe('INVALID_ARGUMENT');
  });

  it('refuses lab names that would reach outside the labs folder, before the service sees them', async () => {
    // A lab-shaped file beside the labs folder: `../escape` would name it.
    const outside = join(dataDir, 'escape.json');
    const record = { version: 1, id: 'x', plan: defaultLabPlan('h', 'escape'), status: 'failed', machines: [], removing: [] };
    await writeFile(outside, JSON.stringify(record));
    for (const name of ['../escape', '../../etc/passwd', 'lab1/..', '..', 'Lab1']) {
      for (const call of [
        () => api.labs.get(name),
        () => api.labs.resume(name),
        () => api.labs.cancel(name),
        () => api.labs.remove(name),
        () => api.labs.scale(name, { linuxWorkers: 1, windowsWorkers: 0 }),
        () => api.labs.logs(name, {}),
      ]) {
        const error = await caught(call());
        expect(error.code).toBe('INVALID_ARGUMENT');
        expect(error.message).toContain('A lab name is a DNS label');
      }
    }
    for (const name of ['../escape', 'a/b', 'a\\b', '.hidden']) {
      expect((await caught(api.labs.create({ ...defaultLabPlan('no-such-host'), name }))).code).toBe('INVALID_ARGUMENT');
      expect((await caught(api.labs.dryRun({ ...defaultLabPlan('no-such-host'), name }))).code).toBe('INVALID_ARGUMENT');
    }
    expect(JSON.parse(await readFile(outside, 'utf8'))).toEqual(record);
    expect(await api.labs.list()).toEqual([]);
  });

  it('returns the dry run and a refused plan as values', async () => {
    const dry = await api.labs.dryRun(defaultLabPlan('no-such-host'));
    expect(dry.status).toBe('ok');
    if (dry.status === 'ok')
      expect(dry.steps.some((step) => step.commands.some((command) => command.display.includes("'virt-install'")))).toBe(true);
    const refused = await api.labs.create({ ...defaultLabPlan('no-such-host'), name: 'Bad Name' });
    expect(refused.status).toBe('refused');
    if (refused.status === 'refused') expect(refused.check.problems.map((problem) => problem.field)).toEqual(['hostId', 'name']);
  });
});
