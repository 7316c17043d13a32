import type {
  CreateLabResult,
  DryRunResult,
  LabLogBatch,
  LabLogLine,
  LabLogQuery,
  LabPlan,
  LabSummary,
  LabsService as LabsContract,
  PlanCheck,
  ScaleRequest,
} from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { Event } from '../../shared/event';

/** What the labs service is built from (the composition root wires these). */
export interface LabsServiceOptions {
  /** Folder for labs/<name>/state.json. */
  dataDir: string;
}

const notYet = (): Promise<never> => Promise.reject(new AppError('INTERNAL', 'Lab clusters are not implemented yet.'));

/** Lab clusters (skeleton: the contract is wired; the engine lands next). */
export class LabsService implements LabsContract {
  private readonly labEmitter = new Emitter<LabSummary>();
  private readonly logEmitter = new Emitter<LabLogBatch>();
  private readonly removeEmitter = new Emitter<{ name: string }>();
  readonly onDidChangeLab: Event<LabSummary> = this.labEmitter.event;
  readonly onDidAppendLog: Event<LabLogBatch> = this.logEmitter.event;
  readonly onDidRemoveLab: Event<{ name: string }> = this.removeEmitter.event;

  constructor(readonly options: LabsServiceOptions) {}

  list(): Promise<LabSummary[]> {
    return Promise.resolve([]);
  }
  get(_name: string): Promise<LabSummary> {
    return notYet();
  }
  checkPlan(_plan: LabPlan): Promise<PlanCheck> {
    return notYet();
  }
  dryRun(_plan: LabPlan): Promise<DryRunResult> {
    return notYet();
  }
  create(_plan: LabPlan): Promise<CreateLabResult> {
    return notYet();
  }
  resume(_name: string): Promise<LabSummary> {
    return notYet();
  }
  cancel(_name: string): Promise<void> {
    return notYet();
  }
  scale(_name: string, _request: ScaleRequest): Promise<LabSummary> {
    return notYet();
  }
  remove(_name: string): Promise<LabSummary> {
    return notYet();
  }
  logs(_name: string, _query: LabLogQuery): Promise<LabLogLine[]> {
    return notYet();
  }

  dispose(): void {
    this.labEmitter.dispose();
    this.logEmitter.dispose();
    this.removeEmitter.dispose();
  }
}
