import { beforeEach, describe, expect, it } from 'vitest';
import type { LabLogBatch, LabMachine, LabStatus, StepPhase } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { tempDir } from '../../../tests/harness/temp-dir';
import type { HostAccess } from './engine';
import { driverFor } from './host-access';
import { LabLogBuffer } from './lab-log-buffer';
import { LabStore, type LabRecord } from './lab-store';
import { machinesOf } from './machines';
import { newOperation, OperationRunner } from './operation-runner';
import { done } from './step-context';
import type { StepContext, StepOutcome } from './step-context';
import type { StepDefinition } from './step-planner';
import { testPlan } from './test-plans';

const plan = testPlan({ linuxWorkers: 2, windowsWorkers: 0 });
const noHost: HostAccess = {
  run: () => Promise.reject(new AppError('INTERNAL', 'these steps never reach a host')),
  runPowerShell: () => Promise.reject(new AppError('INTERNAL', 'these steps never reach a host')),
};

function step(id: string, phase: StepPhase, run: (ctx: StepContext) => Promise<StepOutcome>): StepDefinition {
  return { id, phase, title: id, estimateMs: 1_000, run };
}

/** A step that runs until the operation is cancelled; `started` resolves once it runs. */
function untilCancelled(id: string) {
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const definition = step(
    id,
    'vms',
    (ctx) =>
      new Promise((_resolve, reject) => {
        started();
        ctx.signal.addEventListener('abort', () => reject(new AppError('CANCELLED', 'The operation was cancelled.')));
      }),
  );
  return { definition, running };
}

function newRecord(machines: LabMachine[] = machinesOf(plan)): LabRecord {
  const now = new Date().toISOString();
  return { version: 1, id: 'lab-id', plan, status: 'running', machines, removing: [], createdAt: now, updatedAt: now };
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await tempDir('operation-runner');
});

/** A runner over a store in a fresh folder, whose operations run `steps()`, recording what it announces. */
function runnerOf(steps: () => StepDefinition[], target?: LabMachine[]) {
  const store = new LabStore(dataDir);
  const logs = new LabLogBuffer();
  const saved: LabStatus[] = [];
  const logged: LabLogBatch[] = [];
  const recovered: string[] = [];
  const removed: string[] = [];
  const runner = new OperationRunner({
    store,
    logs,
    prepare: (record) =>
      Promise.resolve({
        definitions: steps(),
        env: {
          plan: record.plan,
          machines: record.machines,
          storagePath: '/srv/labs',
          driver: driverFor(plan, '/srv/labs', record.id, new Map()),
          host: noHost,
        },
        target: target ?? record.machines,
      }),
    // Long enough that only the runner's own saves write while a test runs.
    changeIntervalMs: 60_000,
    recovered: (record) => {
      recovered.push(`${record.plan.name}:${record.status}`);
      return Promise.resolve();
    },
    logged: (batch) => logged.push(batch),
    saved: (record) => saved.push(record.status),
    removed: (name) => {
      removed.push(name);
      return Promise.resolve();
    },
  });
  return { runner, store, logs, saved, logged, recovered, removed };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => AppError.from(error).code,
  );

describe('operation runner', () => {
  it('runs a new operation to ready, announcing its log lines before the record it came with', async () => {
    const { runner, store, logs, saved, logged } = runnerOf(() => [
      step('prepare', 'prepare', (ctx) => {
        ctx.log('folders made');
        return Promise.resolve(done());
      }),
      step('network', 'network', () => Promise.resolve(done('network up'))),
    ]);
    const record = newRecord();
    await runner.begin(record, 'provision');
    expect(runner.isRunning(plan.name)).toBe(true);
    await runner.whenSettled(plan.name);

    const written = await store.read(plan.name);
    expect(written.status).toBe('ready');
    expect(written.operation).toMatchObject({ kind: 'provision', progress: 1, remainingMs: 0 });
    expect(written.operation?.finishedAt).toBeDefined();
    expect(written.operation?.steps.map((s) => [s.id, s.status, s.detail])).toEqual([
      ['prepare', 'done', undefined],
      ['network', 'done', 'network up'],
    ]);
    expect(saved.at(-1)).toBe('ready');
    expect(logged.flatMap((batch) => batch.lines.map((line) => line.text))).toEqual(['folders made']);
    expect(logs.query(plan.name, { stepId: 'prepare' }).map((line) => line.text)).toEqual(['folders made']);
    expect(runner.isRunning(plan.name)).toBe(false);
    expect((await runner.idle(plan.name)).status).toBe('ready');
  });

  it('leaves a failed operation to resume: the failure is logged and kept, a resume clears it and finishes', async () => {
    let attempts = 0;
    const { runner, store, logs } = runnerOf(() => [
      step('prepare', 'prepare', () => Promise.resolve(done())),
      step('vm', 'vms', () => {
        attempts += 1;
        return attempts === 1 ? Promise.reject(new AppError('PROGRAM_FAILED', 'virt-install exited 1')) : Promise.resolve(done());
      }),
    ]);
    await runner.begin(newRecord(), 'provision');
    await runner.whenSettled(plan.name);
    const failed = await store.read(plan.name);
    expect(failed.status).toBe('failed');
    expect(failed.operation?.error?.code).toBe('PROGRAM_FAILED');
    expect(failed.operation?.steps.map((s) => s.status)).toEqual(['done', 'failed']);
    expect(logs.query(plan.name, { stepId: 'operation' }).map((line) => [line.stream, line.text])).toEqual([
      ['stderr', 'virt-install exited 1'],
    ]);

    const resumed = await runner.resume(plan.name);
    expect(resumed.status).toBe('running');
    expect(resumed.operation?.error).toBeUndefined();
    await runner.whenSettled(plan.name);
    const finished = await store.read(plan.name);
    expect(finished.status).toBe('ready');
    expect(finished.operation?.error).toBeUndefined();
    expect(finished.operation?.startedAt).toBe(failed.operation?.startedAt);
    expect(finished.operation?.steps.map((s) => s.status)).toEqual(['done', 'done']);
    expect(await codeOf(runner.resume(plan.name))).toBe('INVALID_ARGUMENT');
  });

  it('is busy while an operation runs (CONFLICT, the live record) and cancelled after a cancel', async () => {
    const blocking = untilCancelled('vm');
    const { runner, store } = runnerOf(() => [blocking.definition]);
    await runner.begin(newRecord(), 'provision');
    await blocking.running;
    expect(await codeOf(runner.idle(plan.name))).toBe('CONFLICT');
    expect((await runner.current(plan.name)).operation?.steps[0]?.status).toBe('running');
    expect((await runner.records()).map((record) => record.status)).toEqual(['running']);

    await runner.cancel(plan.name);
    const cancelled = await store.read(plan.name);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.operation?.error?.code).toBe('CANCELLED');
    expect(cancelled.operation?.steps[0]?.status).toBe('cancelled');
    await expect(runner.cancel(plan.name)).resolves.toBeUndefined();
  });

  it('leaves the labs it stops at dispose interrupted, and a new runner finds them so', async () => {
    const blocking = untilCancelled('vm');
    const first = runnerOf(() => [blocking.definition]);
    await first.runner.begin(newRecord(), 'provision');
    await blocking.running;
    first.runner.dispose();
    await first.runner.whenSettled(plan.name);
    expect((await first.store.read(plan.name)).status).toBe('interrupted');

    // As if the app had stopped while the operation ran: the file still says running.
    await first.store.write({ ...newRecord(), plan: { ...plan, name: 'lab2' } });
    const second = runnerOf(() => []);
    expect((await second.runner.records()).map((record) => [record.plan.name, record.status])).toEqual([
      ['lab1', 'interrupted'],
      ['lab2', 'interrupted'],
    ]);
    expect((await second.store.read('lab2')).status).toBe('interrupted');
    expect(second.recovered).toEqual(['lab1:interrupted', 'lab2:interrupted']);
  });

  it('gives a scaled lab its target machines, and removes a deleted lab with its log', async () => {
    const machines = machinesOf(plan);
    const kept = machines.filter((machine) => machine.name !== 'lab1-linux2');
    const scaling = runnerOf(() => [step('remove', 'vms', () => Promise.resolve(done()))], kept);
    await scaling.runner.begin({ ...newRecord(machines), removing: ['lab1-linux2'] }, 'scale', { drainTimeoutSeconds: 30 });
    await scaling.runner.whenSettled(plan.name);
    const scaled = await scaling.store.read(plan.name);
    expect(scaled.machines.map((machine) => machine.name)).toEqual(['lab1-cp1', 'lab1-linux1']);
    expect(scaled.removing).toEqual([]);
    expect(scaled.operation?.drainTimeoutSeconds).toBe(30);

    const deleting = runnerOf(() => [
      step('vm', 'vms', (ctx) => {
        ctx.log('deleted');
        return Promise.resolve(done());
      }),
    ]);
    await deleting.runner.begin(await deleting.runner.idle(plan.name), 'delete');
    await deleting.runner.whenSettled(plan.name);
    expect(await deleting.store.exists(plan.name)).toBe(false);
    expect(deleting.removed).toEqual([plan.name]);
    expect(deleting.logs.query(plan.name, {})).toEqual([]);
    expect(deleting.saved.at(-1)).toBe('ready');
  });
});

describe('new operation', () => {
  it('starts with no steps and keeps what it was asked for, without an unset drain limit', () => {
    const operation = newOperation('maintain', {
      drainTimeoutSeconds: undefined,
      machine: 'lab1-linux1',
      node: { deleteEmptyDirData: true },
    });
    expect(operation).toEqual({
      kind: 'maintain',
      steps: [],
      progress: 0,
      startedAt: operation.startedAt,
      elapsedMs: 0,
      remainingMs: 0,
      machine: 'lab1-linux1',
      node: { deleteEmptyDirData: true },
    });
    expect(operation).not.toHaveProperty('drainTimeoutSeconds');
    expect(newOperation('etcd-snapshot', { etcd: { snapshot: 'etcd-1' } }).etcd).toEqual({ snapshot: 'etcd-1' });
  });
});
