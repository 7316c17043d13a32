/**
 * The lifecycle of a lab's operations: one at a time per lab, started, cancelled and resumed,
 * its steps' progress persisted (throttled) and announced as it runs, its end written with the
 * lab's new status. Labs whose operation was running when the app stopped become 'interrupted'
 * at start, so any operation can be resumed after a failure, a cancel or a restart.
 */
import type { LabLogBatch, LabOperationKind } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { initialSteps, runSteps, summarizeProgress } from './engine';
import type { LabLogBuffer } from './lab-log-buffer';
import type { LabRecord, LabStore } from './lab-store';
import type { PreparedOperation } from './operation-steps';

type SavedOperation = NonNullable<LabRecord['operation']>;

/** What an operation is asked for beyond its kind (kept with it for a resume). */
export type OperationRequest = { drainTimeoutSeconds?: number | undefined } & Partial<
  Pick<SavedOperation, 'etcd' | 'machine' | 'node' | 'timeline'>
>;

export interface OperationRunnerOptions {
  store: LabStore;
  logs: LabLogBuffer;
  /** The steps of the record's operation and what they run on (operation-steps.ts). */
  prepare(record: LabRecord): Promise<PreparedOperation>;
  /** How often a lab's progress may be written and announced while steps run. Default 100 ms. */
  changeIntervalMs?: number;
  /** Each saved lab once recovered at start (the service opens its endpoint tunnel again). */
  recovered(record: LabRecord): Promise<void>;
  /** Log lines not announced yet, before the record they came with is written. */
  logged(batch: LabLogBatch): void;
  /** The record as just written. */
  saved(record: LabRecord): void;
  /** A deleted lab's file is gone and its log forgotten. */
  removed(name: string): Promise<void>;
}

interface Running {
  controller: AbortController;
  record: LabRecord;
  done: Promise<void>;
}

/** A new operation of `kind`: no steps yet (the runner lists them when it starts), no progress. */
export function newOperation(kind: LabOperationKind, request: OperationRequest = {}): SavedOperation {
  const { drainTimeoutSeconds, ...rest } = request;
  return {
    kind,
    steps: [],
    progress: 0,
    startedAt: new Date().toISOString(),
    elapsedMs: 0,
    remainingMs: 0,
    ...(drainTimeoutSeconds === undefined ? {} : { drainTimeoutSeconds }),
    ...rest,
  };
}

export class OperationRunner {
  /** Resolves once the labs saved before a restart are recovered; everything that reads labs waits for it. */
  readonly recovered: Promise<void>;
  private readonly running = new Map<string, Running>();
  private readonly flushTimers = new Map<string, NodeJS.Timeout>();
  private disposed = false;

  constructor(private readonly options: OperationRunnerOptions) {
    this.recovered = this.recover();
  }

  /** Labs whose operation was running when the app stopped become 'interrupted' (resume continues them). */
  private async recover(): Promise<void> {
    for (const record of await this.options.store.list().catch(() => [])) {
      if (record.status === 'running') {
        record.status = 'interrupted';
        await this.options.store.write(record);
      }
      await this.options.recovered(record);
    }
  }

  /** Every saved lab; one running an operation as it is now. */
  async records(): Promise<LabRecord[]> {
    await this.recovered;
    return (await this.options.store.list()).map((record) => this.running.get(record.plan.name)?.record ?? record);
  }

  /** The lab as it is now (its running operation's record, else its file). */
  async current(name: string): Promise<LabRecord> {
    await this.recovered;
    return this.running.get(name)?.record ?? this.options.store.read(name);
  }

  /** The lab's record when no operation runs (CONFLICT while one does). */
  async idle(name: string): Promise<LabRecord> {
    await this.recovered;
    const running = this.running.get(name);
    if (running !== undefined) {
      if (running.record.status === 'running') {
        throw new AppError('CONFLICT', `Lab "${name}" is busy with an operation. Wait for it or cancel it first.`, { lab: name });
      }
      // The operation has ended and is writing its last state.
      await running.done;
    }
    return this.options.store.read(name);
  }

  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  /** Starts a new operation of the lab (taken from idle(), or a new lab): written as running first. */
  async begin(record: LabRecord, kind: LabOperationKind, request?: OperationRequest): Promise<void> {
    record.status = 'running';
    record.operation = newOperation(kind, request);
    await this.options.store.write(record);
    this.start(record);
  }

  /** Continues the lab's last operation where it stopped (its finished steps find their work done). */
  async resume(name: string): Promise<LabRecord> {
    const record = await this.idle(name);
    if (record.operation === undefined || record.status === 'ready') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" has nothing to resume: its last operation finished.`, { lab: name });
    }
    record.status = 'running';
    delete record.operation.error;
    delete record.operation.finishedAt;
    await this.options.store.write(record);
    this.start(record);
    return record;
  }

  /** Cancels the lab's running operation, if any; resolves when it has settled. */
  async cancel(name: string): Promise<void> {
    const running = this.running.get(name);
    if (running === undefined) return;
    running.controller.abort();
    await running.done;
  }

  /** Resolves when the lab's running operation (if any) has settled. */
  async whenSettled(name: string): Promise<void> {
    await this.running.get(name)?.done;
  }

  /** Persists the record and announces what changed (log lines first, then the record). */
  async save(record: LabRecord): Promise<void> {
    const name = record.plan.name;
    const timer = this.flushTimers.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.flushTimers.delete(name);
    const lines = this.options.logs.takePending(name);
    if (lines !== undefined && lines.length > 0) this.options.logged({ lab: name, lines });
    await this.options.store.write(record);
    this.options.saved(record);
  }

  /** Stops running operations; their labs are left 'interrupted' for the next start to resume. */
  dispose(): void {
    this.disposed = true;
    for (const running of this.running.values()) running.controller.abort();
    for (const timer of this.flushTimers.values()) clearTimeout(timer);
  }

  private start(record: LabRecord): void {
    const name = record.plan.name;
    const controller = new AbortController();
    const done = this.execute(record, controller.signal).finally(() => {
      this.running.delete(name);
    });
    this.running.set(name, { controller, record, done });
  }

  private async execute(record: LabRecord, signal: AbortSignal): Promise<void> {
    const operation = record.operation;
    if (operation === undefined) return;
    const name = record.plan.name;
    const startedAt = Date.now();
    const elapsedBefore = operation.elapsedMs;
    const changed = () => {
      operation.elapsedMs = elapsedBefore + (Date.now() - startedAt);
      Object.assign(operation, summarizeProgress(operation.steps));
      record.updatedAt = new Date().toISOString();
      this.scheduleSave(record);
    };
    try {
      const { definitions, env, target } = await this.options.prepare(record);
      // A resumed operation keeps the state of the steps it had.
      const previous = new Map(operation.steps.map((step) => [step.id, step]));
      operation.steps = initialSteps(definitions).map((step) => previous.get(step.id) ?? step);
      await runSteps({ ...env, log: (line) => this.options.logs.append(name, line), changed }, operation, definitions, signal);
      operation.finishedAt = new Date().toISOString();
      record.status = 'ready';
      if (operation.kind === 'scale') {
        record.machines = target;
        record.removing = [];
      }
      changed();
      if (operation.kind === 'delete') {
        await this.save(record);
        await this.options.store.delete(name);
        this.options.logs.forget(name);
        await this.options.removed(name);
        return;
      }
    } catch (error) {
      const appError = AppError.from(error);
      operation.error = appError.toJSON();
      record.status = this.disposed ? 'interrupted' : appError.code === 'CANCELLED' ? 'cancelled' : 'failed';
      this.options.logs.append(name, { stepId: 'operation', stream: 'stderr', text: appError.message });
      changed();
    }
    await this.save(record);
  }

  private scheduleSave(record: LabRecord): void {
    const name = record.plan.name;
    if (this.flushTimers.has(name)) return;
    this.flushTimers.set(
      name,
      setTimeout(() => {
        void this.save(record).catch(() => undefined);
      }, this.options.changeIntervalMs ?? 100),
    );
  }
}
