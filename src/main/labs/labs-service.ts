import { randomUUID } from 'node:crypto';
import type {
  CreateLabResult,
  DryRunResult,
  EtcdSnapshotList,
  EtcdSnapshotRequest,
  LabLogBatch,
  LabLogLine,
  LabLogQuery,
  LabPlan,
  LabSummary,
  LabsService as LabsContract,
  MachineActionRequest,
  MachineStatus,
  NetworkProposal,
  PlanCheck,
  ScaleRequest,
  SelfHealingSettings,
} from '../../shared/contract/labs';
import type { LabSnapshotList } from '../../shared/contract/lab-snapshots';
import type { UpgradeRequest } from '../../shared/contract/lab-upgrade';
import { AppError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { Event } from '../../shared/event';
import { powerShellCommand } from '../hosts/powershell';
import type { ConnectionTarget } from '../kube/connection-target';
import { checkEtcdOperation, listEtcdSnapshots } from './day2/etcd-operations';
import type { EtcdOperationRequest } from './day2/etcd-operations';
import { snapshotName } from './day2/etcd-shelf';
import { checkRevert, deleteLabSnapshot, labSnapshotName, labSnapshotProblem, listLabSnapshots } from './day2/lab-snapshots';
import type { LabSnapshotOperation, SnapshotHost } from './day2/lab-snapshots';
import { checkMachineAction, machineOperationKind, machineStatuses, withPowerStates } from './day2/machine-operations';
import { SelfHealer } from './day2/self-healing';
import { healingLogText, keepHealingEvent, withHealingSettings } from './day2/self-healing-state';
import { checkUpgrade } from './day2/upgrade';
import type { LabClusters } from './cluster-steps';
import { LabEndpointAccess } from './endpoint-access';
import { driverFor, hostAccess, type LabHosts } from './host-access';
import { LabLogBuffer } from './lab-log-buffer';
import { LabStore } from './lab-store';
import type { LabRecord } from './lab-store';
import { labSummary } from './lab-summary';
import { machinesOf, normalizePlan } from './machines';
import { OperationRunner } from './operation-runner';
import { OperationSteps } from './operation-steps';
import { PlanChecks } from './plan-checks';
import { scaledPlan, scaleMachines } from './scaling';

/** What the labs service is built from (the composition root wires these). */
export interface LabsServiceOptions {
  /** Folder for labs/<name>.json. */
  dataDir: string;
  hosts: LabHosts;
  clusters: LabClusters;
  /** Verify the lab's credentials by connecting (default: GET /version); tests may point it elsewhere. */
  verifyKubeconfig?: (target: ConnectionTarget) => Promise<string>;
  /** How often onDidChangeLab may fire per lab while steps run. Default 100 ms. */
  changeIntervalMs?: number;
  /** How often self-healing looks at the labs that have it on. Default 15 s. */
  selfHealingIntervalMs?: number;
}

/**
 * Lab clusters: plans checked against the host (plan-checks.ts), then provisioned, scaled,
 * changed by day-2 operations and deleted, one operation at a time per lab (operation-runner.ts
 * runs it, operation-steps.ts says what it runs), with state persisted per lab so any operation
 * can be resumed after a failure, a cancel or a restart of the app. This class puts those parts
 * together and checks each request before its operation starts.
 */
export class LabsService implements LabsContract {
  private readonly labEmitter = new Emitter<LabSummary>();
  private readonly logEmitter = new Emitter<LabLogBatch>();
  private readonly removeEmitter = new Emitter<{ name: string }>();
  readonly onDidChangeLab: Event<LabSummary> = this.labEmitter.event;
  readonly onDidAppendLog: Event<LabLogBatch> = this.logEmitter.event;
  readonly onDidRemoveLab: Event<{ name: string }> = this.removeEmitter.event;

  private readonly store: LabStore;
  private readonly logBuffer = new LabLogBuffer();
  private readonly planChecks: PlanChecks;
  /** How this computer reaches each lab's API server (the host's port or an SSH tunnel). */
  private readonly endpoints: LabEndpointAccess;
  private readonly steps: OperationSteps;
  private readonly operations: OperationRunner;
  /** Recreates workers NotReady past their grace period, in labs that turned it on (day2/self-healing.ts). */
  private readonly healer: SelfHealer;

  constructor(private readonly options: LabsServiceOptions) {
    this.store = new LabStore(options.dataDir);
    this.endpoints = new LabEndpointAccess(async (hostId, address, port) =>
      (await options.hosts.connection(hostId)).forwardOut(address, port),
    );
    this.steps = new OperationSteps({
      dataDir: options.dataDir,
      hosts: options.hosts,
      clusters: options.clusters,
      endpoints: this.endpoints,
      ...(options.verifyKubeconfig === undefined ? {} : { verifyKubeconfig: options.verifyKubeconfig }),
    });
    this.operations = new OperationRunner({
      store: this.store,
      logs: this.logBuffer,
      prepare: (record) => this.steps.prepare(record),
      ...(options.changeIntervalMs === undefined ? {} : { changeIntervalMs: options.changeIntervalMs }),
      recovered: (record) => this.endpoints.restore(record),
      logged: (batch) => this.logEmitter.fire(batch),
      saved: (record) => this.labEmitter.fire(this.summarize(record)),
      removed: async (name) => {
        await this.endpoints.forget(name);
        this.removeEmitter.fire({ name });
      },
    });
    // Plans are checked against the other labs, once those saved before a restart are read.
    this.planChecks = new PlanChecks(options.hosts, async () => {
      await this.operations.recovered;
      return this.store.list();
    });
    this.healer = this.createHealer();
    this.healer.start();
  }

  /** Self-healing's loop over this service's labs (day2/self-healing.ts). */
  private createHealer(): SelfHealer {
    return new SelfHealer(
      {
        candidates: async () => {
          await this.operations.recovered;
          return (await this.store.list())
            .filter((record) => record.status === 'ready' && !this.operations.isRunning(record.plan.name))
            .flatMap((record) => {
              const state = record.selfHealing;
              if (state === undefined || !state.settings.enabled || state.tripped !== undefined) return [];
              return [{ name: record.plan.name, machines: record.machines, settings: state.settings, events: state.events }];
            });
        },
        statuses: (name) => this.machineStatuses(name),
        record: async (name, event, trip) => {
          const record = await this.operations.current(name);
          const state = record.selfHealing;
          if (state === undefined) return;
          keepHealingEvent(state, event);
          this.logBuffer.append(name, { stepId: 'self-healing', stream: 'info', text: healingLogText(event) });
          if (trip) state.tripped = { at: event.at, reason: event.reason };
          await this.operations.save(record);
        },
        recreate: async (name, machine) => {
          await this.machineAction(name, machine, { action: 'recreate' });
        },
      },
      this.options.selfHealingIntervalMs ?? 15_000,
      (lab, error) => this.logBuffer.append(lab, { stepId: 'self-healing', stream: 'stderr', text: `Self-healing: ${error.message}` }),
    );
  }

  async list(): Promise<LabSummary[]> {
    return (await this.operations.records()).map((record) => this.summarize(record));
  }

  async get(name: string): Promise<LabSummary> {
    return this.summarize(await this.operations.current(name));
  }

  checkPlan(input: LabPlan): Promise<PlanCheck> {
    return this.planChecks.check(input);
  }

  proposeNetwork(hostId: string, labName?: string): Promise<NetworkProposal> {
    return this.planChecks.proposeNetwork(hostId, labName);
  }

  dryRun(input: LabPlan): Promise<DryRunResult> {
    return this.steps.dryRun(input);
  }

  async create(input: LabPlan): Promise<CreateLabResult> {
    await this.operations.recovered;
    const plan = await this.planChecks.withHostPort(normalizePlan(input));
    if (await this.store.exists(plan.name)) {
      throw new AppError('ALREADY_EXISTS', `A lab named "${plan.name}" already exists. Choose another name or delete that lab.`, {
        field: 'name',
      });
    }
    const check = await this.planChecks.check(plan);
    if (!check.ok) return { status: 'refused', check };
    const now = new Date().toISOString();
    const record: LabRecord = {
      version: 1,
      id: randomUUID().slice(0, 8),
      plan,
      status: 'running',
      machines: machinesOf(plan),
      removing: [],
      createdAt: now,
      updatedAt: now,
    };
    await this.operations.begin(record, 'provision');
    return { status: 'started', lab: this.summarize(record) };
  }

  async resume(name: string): Promise<LabSummary> {
    return this.summarize(await this.operations.resume(name));
  }

  cancel(name: string): Promise<void> {
    return this.operations.cancel(name);
  }

  async scale(name: string, request: ScaleRequest): Promise<LabSummary> {
    const record = await this.operations.idle(name);
    if (record.status !== 'ready') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" is ${record.status}: resume it before changing the worker counts.`, {
        lab: name,
      });
    }
    const plan = scaledPlan(record.plan, request);
    const { added, removing } = scaleMachines(record.machines, plan);
    await this.planChecks.checkScale(plan, added);
    record.plan = plan;
    record.removing = removing;
    record.machines = [...record.machines, ...added];
    await this.operations.begin(record, 'scale', { drainTimeoutSeconds: request.drainTimeoutSeconds });
    return this.summarize(record);
  }

  async remove(name: string): Promise<LabSummary> {
    await this.operations.cancel(name);
    const record = await this.operations.idle(name);
    await this.operations.begin(record, 'delete');
    return this.summarize(record);
  }

  async etcdSnapshots(name: string): Promise<EtcdSnapshotList> {
    const record = await this.operations.current(name);
    return listEtcdSnapshots(record.plan, (argv, options) => this.options.hosts.run(record.plan.hostId, argv, options));
  }

  async saveEtcdSnapshot(name: string, request: EtcdSnapshotRequest): Promise<LabSummary> {
    const taken = new Set((await this.etcdSnapshots(name)).snapshots.map((snapshot) => snapshot.name));
    return this.startEtcdOperation(name, 'etcd-snapshot', { snapshot: freeName(taken, snapshotName), ...request });
  }

  async restoreEtcdSnapshot(name: string, snapshot: string): Promise<LabSummary> {
    const list = await this.etcdSnapshots(name);
    // A lab without etcd snapshots (k3s on SQLite) is refused below with the reason, not as an unknown name.
    if (list.supported && !list.snapshots.some((known) => known.name === snapshot)) {
      throw new AppError('NOT_FOUND', `Lab "${name}" has no etcd snapshot ${snapshot} on its host.`, {
        fix: 'Pick a snapshot from the list.',
      });
    }
    return this.startEtcdOperation(name, 'etcd-restore', { snapshot });
  }

  private async startEtcdOperation(
    name: string,
    kind: 'etcd-snapshot' | 'etcd-restore',
    request: EtcdOperationRequest,
  ): Promise<LabSummary> {
    const record = await this.operations.idle(name);
    checkEtcdOperation(record.plan);
    if (record.status !== 'ready') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" is ${record.status}: resume it before working with etcd snapshots.`, {
        lab: name,
      });
    }
    await this.operations.begin(record, kind, { etcd: request });
    return this.summarize(record);
  }

  async labSnapshots(name: string): Promise<LabSnapshotList> {
    const record = await this.operations.current(name);
    return listLabSnapshots(record.plan, record.machines, await this.snapshotHost(record));
  }

  async saveLabSnapshot(name: string): Promise<LabSummary> {
    const record = await this.operations.idle(name);
    if (record.status !== 'ready') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" is ${record.status}: resume it before taking a lab snapshot.`, { lab: name });
    }
    const taken = new Set((await this.labSnapshots(name)).snapshots.map((snapshot) => snapshot.name));
    return this.startLabSnapshotOperation(record, 'lab-snapshot', freeName(taken, labSnapshotName));
  }

  async revertLabSnapshot(name: string, snapshot: string): Promise<LabSummary> {
    const record = await this.operations.idle(name);
    checkRevert(await this.labSnapshots(name), name, snapshot, record.machines);
    return this.startLabSnapshotOperation(record, 'lab-revert', snapshot);
  }

  async deleteLabSnapshot(name: string, snapshot: string): Promise<LabSnapshotList> {
    const record = await this.operations.idle(name);
    await deleteLabSnapshot(record.plan, record.machines, await this.snapshotHost(record), snapshot);
    return this.labSnapshots(name);
  }

  private async startLabSnapshotOperation(record: LabRecord, kind: LabSnapshotOperation, snapshot: string): Promise<LabSummary> {
    const problem = labSnapshotProblem(record.plan);
    if (problem !== undefined) throw new AppError('INVALID_ARGUMENT', problem, { lab: record.plan.name });
    record.labSnapshot = snapshot;
    await this.operations.begin(record, kind);
    return this.summarize(record);
  }

  private async snapshotHost(record: LabRecord): Promise<SnapshotHost> {
    return hostAccess(this.options.hosts, record.plan.hostId, await this.options.hosts.get(record.plan.hostId));
  }

  async upgrade(name: string, request: UpgradeRequest): Promise<LabSummary> {
    const record = await this.operations.idle(name);
    if (record.status !== 'ready') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" is ${record.status}: resume its last operation before upgrading it.`, {
        lab: name,
      });
    }
    checkUpgrade(record.plan, request.kubernetesVersion);
    // The plan names the target from now on: a resume continues towards it, and machines joined later get it.
    record.plan = { ...record.plan, kubernetesVersion: request.kubernetesVersion };
    await this.operations.begin(record, 'upgrade', { drainTimeoutSeconds: request.drainTimeoutSeconds });
    return this.summarize(record);
  }

  async machineAction(name: string, machine: string, request: MachineActionRequest): Promise<LabSummary> {
    const record = await this.operations.idle(name);
    const { plan } = record;
    checkMachineAction(
      { name, status: record.status, kind: record.operation?.kind, machines: record.machines, driver: plan.driver },
      machine,
      request,
    );
    const kind = machineOperationKind(request.action);
    await this.operations.begin(record, kind, {
      drainTimeoutSeconds: request.drainTimeoutSeconds,
      machine,
      node: {
        ...(request.deleteEmptyDirData === undefined ? {} : { deleteEmptyDirData: request.deleteEmptyDirData }),
        ...(request.drillMinutes === undefined ? {} : { drillMinutes: request.drillMinutes }),
      },
      ...(kind === 'failure-drill' ? { timeline: [] } : {}),
    });
    return this.summarize(record);
  }

  async machineStatuses(name: string): Promise<MachineStatus[]> {
    const record = await this.operations.current(name);
    const context = record.context;
    const statuses =
      context === undefined
        ? record.machines.map((machine) => ({ name: machine.name }))
        : await machineStatuses(record.machines, (request) => this.options.clusters.requestAs(context, request));
    if (record.plan.driver === 'existing') return statuses;
    const { hostId } = record.plan;
    const host = await this.options.hosts.get(hostId);
    const driver = driverFor(record.plan, host.storagePath, record.id, new Map());
    return withPowerStates(statuses, record.machines, driver, {
      run: (argv) => this.options.hosts.runAsRoot(hostId, argv),
      powershell: async (script) => (await this.options.hosts.connection(hostId)).exec(powerShellCommand(script)),
    });
  }

  async setSelfHealing(name: string, settings: SelfHealingSettings): Promise<LabSummary> {
    const record = await this.operations.current(name);
    if (record.plan.driver === 'existing') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" runs on machines of their own: Nestlab cannot recreate them.`, {
        lab: name,
        fix: 'Self-healing is for labs whose workers are VMs Nestlab made (libvirt, Hyper-V).',
      });
    }
    const { state, event } = withHealingSettings(record.selfHealing, settings, new Date().toISOString());
    record.selfHealing = state;
    if (event !== undefined) this.logBuffer.append(name, { stepId: 'self-healing', stream: 'info', text: healingLogText(event) });
    await this.operations.save(record);
    return this.summarize(record);
  }

  async logs(name: string, query: LabLogQuery): Promise<LabLogLine[]> {
    await this.operations.current(name);
    return this.logBuffer.query(name, query);
  }

  /** Main-process and tests: resolves when the lab's running operation (if any) has settled. */
  whenSettled(name: string): Promise<void> {
    return this.operations.whenSettled(name);
  }

  /** Stops running operations; their labs are left 'interrupted' for the next start to resume. */
  dispose(): void {
    this.healer.stop();
    this.operations.dispose();
    this.endpoints.dispose();
    this.labEmitter.dispose();
    this.logEmitter.dispose();
    this.removeEmitter.dispose();
  }

  private summarize(record: LabRecord): LabSummary {
    return labSummary(record, this.endpoints.problem(record.plan.name));
  }
}

/** A snapshot's name from now: names are per second, so a second one within the same second takes the next free one. */
function freeName(taken: ReadonlySet<string>, nameAt: (at: Date) => string): string {
  let at = Date.now();
  while (taken.has(nameAt(new Date(at)))) at += 1000;
  return nameAt(new Date(at));
}
