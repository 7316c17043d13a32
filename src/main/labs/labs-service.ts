import { randomUUID } from 'node:crypto';
import type { HostSummary } from '../../shared/contract/hosts';
import type {
  CreateLabResult,
  DryRunResult,
  EtcdSnapshotList,
  EtcdSnapshotRequest,
  LabLogBatch,
  LabLogLine,
  LabLogQuery,
  LabMachine,
  LabOperationKind,
  LabPlan,
  LabSummary,
  LabsService as LabsContract,
  MachineActionRequest,
  MachineStatus,
  NetworkProposal,
  PlanCheck,
  ScaleRequest,
  SelfHealingEvent,
  SelfHealingSettings,
} from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { Event } from '../../shared/event';
import { powerShellCommand } from '../hosts/powershell';
import type { ConnectionTarget } from '../kube/connection-target';
import { capacityLines } from './capacity';
import { checkEtcdOperation, etcdOperationSteps, isEtcdOperation, listEtcdSnapshots } from './day2/etcd-operations';
import type { EtcdOperationRequest } from './day2/etcd-operations';
import { snapshotName } from './day2/etcd-shelf';
import type { LabSnapshotList } from '../../shared/contract/lab-snapshots';
import { checkRevert, deleteLabSnapshot, labSnapshotName, labSnapshotProblem, listLabSnapshots } from './day2/lab-snapshots';
import { isLabOperation, labOperationSteps } from './day2/lab-operations';
import { checkUpgrade } from './day2/upgrade';
import type { UpgradeRequest } from '../../shared/contract/lab-upgrade';
import type { LabSnapshotOperation, SnapshotHost } from './day2/lab-snapshots';
import {
  checkMachineAction,
  isMachineOperation,
  kubeCallOf,
  machineOperationKind,
  machineOperationSteps,
  machineStatuses,
  withPowerStates,
} from './day2/machine-operations';
import { SELF_HEALING_EVENTS_KEPT, SelfHealer } from './day2/self-healing';
import { LabApiTunnels, probeTls } from './api-tunnels';
import { createClusterSteps } from './cluster-steps';
import type { EndpointRoute, LabClusters } from './cluster-steps';
import { dryRunSteps, initialSteps, runSteps, summarizeProgress } from './engine';
import type { EngineEnvironment } from './engine';
import { hostIdOf } from './existing-driver';
import { LabStore } from './lab-store';
import { driverFor, existingInventory, hostAccess, knownMachines, type LabHosts } from './host-access';
import { LabLogBuffer } from './lab-log-buffer';
import { PlanChecks } from './plan-checks';
import type { LabRecord } from './lab-store';
import { machinesOf, normalizePlan } from './machines';
import { validatePlan } from './plan-validation';
import type { StepContext } from './step-context';
import { planSteps } from './step-planner';
import type { StepDefinition } from './step-planner';

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

const DEFAULT_DRAIN_TIMEOUT_S = 120;

interface Running {
  controller: AbortController;
  record: LabRecord;
  done: Promise<void>;
}

/**
 * Lab clusters: plans checked against the host, provisioned, scaled and deleted by the engine
 * (see engine.ts and step-planner.ts), with state persisted per lab so any operation can be
 * resumed after a failure, a cancel or a restart of the app.
 */
export class LabsService implements LabsContract {
  private readonly labEmitter = new Emitter<LabSummary>();
  private readonly logEmitter = new Emitter<LabLogBatch>();
  private readonly removeEmitter = new Emitter<{ name: string }>();
  readonly onDidChangeLab: Event<LabSummary> = this.labEmitter.event;
  readonly onDidAppendLog: Event<LabLogBatch> = this.logEmitter.event;
  readonly onDidRemoveLab: Event<{ name: string }> = this.removeEmitter.event;

  private readonly store: LabStore;
  private readonly running = new Map<string, Running>();
  private readonly logBuffer = new LabLogBuffer();
  private readonly planChecks: PlanChecks;
  private readonly flushTimers = new Map<string, NodeJS.Timeout>();
  private readonly recovered: Promise<void>;
  private disposed = false;
  /** SSH tunnels to the API endpoints of labs whose host port does not answer from here. */
  private readonly apiTunnels = new LabApiTunnels(async (hostId, address, port) =>
    (await this.options.hosts.connection(hostId)).forwardOut(address, port),
  );
  /** Why a lab's saved tunnel does not serve now (its port taken after a restart). */
  private readonly tunnelProblems = new Map<string, string>();
  /** Recreates workers NotReady past their grace period, in labs that turned it on (day2/self-healing.ts). */
  private readonly healer: SelfHealer;

  constructor(private readonly options: LabsServiceOptions) {
    this.store = new LabStore(options.dataDir);
    // Plans are checked against the other labs, once those saved before a restart are read.
    this.planChecks = new PlanChecks(options.hosts, async () => {
      await this.recovered;
      return this.store.list();
    });
    this.recovered = this.recover();
    this.healer = this.createHealer();
    this.healer.start();
  }

  /** Self-healing's loop over this service's labs (day2/self-healing.ts). */
  private createHealer(): SelfHealer {
    return new SelfHealer(
      {
        candidates: async () => {
          await this.recovered;
          return (await this.store.list())
            .filter((record) => record.status === 'ready' && !this.running.has(record.plan.name))
            .flatMap((record) => {
              const state = record.selfHealing;
              if (state === undefined || !state.settings.enabled || state.tripped !== undefined) return [];
              return [{ name: record.plan.name, machines: record.machines, settings: state.settings, events: state.events }];
            });
        },
        statuses: (name) => this.machineStatuses(name),
        record: async (name, event, trip) => {
          const record = await this.current(name);
          const state = record.selfHealing;
          if (state === undefined) return;
          this.addHealingEvent(record, event);
          if (trip) state.tripped = { at: event.at, reason: event.reason };
          await this.flush(record);
        },
        recreate: async (name, machine) => {
          await this.machineAction(name, machine, { action: 'recreate' });
        },
      },
      this.options.selfHealingIntervalMs ?? 15_000,
      (lab, error) => this.logBuffer.append(lab, { stepId: 'self-healing', stream: 'stderr', text: `Self-healing: ${error.message}` }),
    );
  }

  /** Labs whose operation was running when the app stopped become 'interrupted' (resume continues them). */
  private async recover(): Promise<void> {
    for (const record of await this.store.list().catch(() => [])) {
      if (record.status === 'running') {
        record.status = 'interrupted';
        await this.store.write(record);
      }
      await this.restoreTunnel(record);
    }
  }

  /**
   * A lab saved with an SSH tunnel to its API endpoint gets it again, on the port its kubeconfig
   * names (nothing connects to the host until something uses it).
   */
  private async restoreTunnel(record: LabRecord): Promise<void> {
    const access = record.endpointAccess;
    if (access?.mode !== 'tunnel') return;
    const { apiEndpoint, hostId, name } = record.plan;
    try {
      await this.apiTunnels.serve(name, { hostId, address: apiEndpoint.address, port: apiEndpoint.port }, access.localPort, true);
      this.tunnelProblems.delete(name);
      if (this.disposed) await this.apiTunnels.close(name);
    } catch (error) {
      this.tunnelProblems.set(
        name,
        `The SSH tunnel to the API server could not listen on 127.0.0.1:${access.localPort}: ${AppError.from(error).message} Free that port, or resume the lab's last operation to choose another.`,
      );
    }
  }

  /**
   * The server the lab's kubeconfig names: the lab host's port when it answers a TLS handshake
   * from here, else an SSH tunnel via the lab host to the endpoint in the lab network, on 127.0.0.1
   * (the host's port number when free here), checked against the endpoint name.
   */
  private async endpointRoute(
    record: LabRecord,
    ctx: StepContext,
    server: { host: string; port: number },
    ca: string,
  ): Promise<EndpointRoute> {
    const { apiEndpoint, hostId, name } = record.plan;
    const reason = await probeTls(server.host, server.port, ca);
    if (reason === undefined) {
      await this.apiTunnels.close(name);
      this.tunnelProblems.delete(name);
      record.endpointAccess = { mode: 'direct', server: `https://${server.host}:${server.port}` };
      return server;
    }
    const why = `port ${server.port} of ${server.host} did not answer from this computer (${reason})`;
    ctx.log(`The API endpoint goes through an SSH tunnel via the lab host: ${why}.`);
    const saved = record.endpointAccess?.mode === 'tunnel' ? record.endpointAccess.localPort : server.port;
    const localPort = await this.apiTunnels.serve(name, { hostId, address: apiEndpoint.address, port: apiEndpoint.port }, saved, false);
    this.tunnelProblems.delete(name);
    record.endpointAccess = {
      mode: 'tunnel',
      server: `https://127.0.0.1:${localPort}`,
      localPort,
      tlsServerName: apiEndpoint.host,
      target: `${apiEndpoint.address}:${apiEndpoint.port}`,
      reason: why,
    };
    return { host: '127.0.0.1', port: localPort, tlsServerName: apiEndpoint.host };
  }

  async list(): Promise<LabSummary[]> {
    await this.recovered;
    return (await this.store.list()).map((record) => this.summarize(this.running.get(record.plan.name)?.record ?? record));
  }

  async get(name: string): Promise<LabSummary> {
    return this.summarize(await this.current(name));
  }

  checkPlan(input: LabPlan): Promise<PlanCheck> {
    return this.planChecks.check(input);
  }

  proposeNetwork(hostId: string, labName?: string): Promise<NetworkProposal> {
    return this.planChecks.proposeNetwork(hostId, labName);
  }

  async dryRun(input: LabPlan): Promise<DryRunResult> {
    const plan = normalizePlan(input);
    let hostOs: HostSummary['os'] | undefined;
    let storagePath = '/var/lib/libvirt/images';
    let hostAddress: string | undefined;
    try {
      const host = await this.options.hosts.get(plan.hostId);
      hostOs = host.os;
      storagePath = host.storagePath;
      hostAddress = host.address;
    } catch {
      // The dry run lists commands for an unknown host too; create() refuses it.
    }
    const problems = validatePlan(plan, hostOs);
    if (problems.length > 0) return { status: 'invalid', problems };
    const machines = machinesOf(plan);
    const inventory = await existingInventory(this.options.hosts, plan);
    const driver = driverFor(plan, storagePath, '<lab id>', inventory);
    const definitions = planSteps(
      'provision',
      plan,
      machines,
      driver,
      this.clusterSteps(plan, { name: '<host>', address: hostAddress ?? '<host address>' }, inventory, () => false),
      [],
    );
    return { status: 'ok', steps: await dryRunSteps(plan, machines, storagePath, definitions, hostAddress) };
  }

  async create(input: LabPlan): Promise<CreateLabResult> {
    await this.recovered;
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
    this.newOperation(record, 'provision');
    await this.store.write(record);
    this.start(record);
    return { status: 'started', lab: this.summarize(record) };
  }

  async resume(name: string): Promise<LabSummary> {
    const record = await this.idle(name);
    if (record.operation === undefined || record.status === 'ready') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" has nothing to resume: its last operation finished.`, { lab: name });
    }
    record.status = 'running';
    delete record.operation.error;
    delete record.operation.finishedAt;
    await this.store.write(record);
    this.start(record);
    return this.summarize(record);
  }

  async cancel(name: string): Promise<void> {
    const running = this.running.get(name);
    if (running === undefined) return;
    running.controller.abort();
    await running.done;
  }

  async scale(name: string, request: ScaleRequest): Promise<LabSummary> {
    const record = await this.idle(name);
    if (record.status !== 'ready') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" is ${record.status}: resume it before changing the worker counts.`, {
        lab: name,
      });
    }
    const plan = this.scaledPlan(record, request);
    const host = await this.options.hosts.get(plan.hostId);
    const problems = validatePlan(plan, host.os);
    if (plan.driver === 'existing') problems.push(...(await this.planChecks.existing(plan, [])).problems);
    if (problems.length > 0) {
      throw new AppError('INVALID_ARGUMENT', problems.map((problem) => `${problem.message} ${problem.fix}`).join(' '), { problems });
    }
    const target = machinesOf(plan, record.machines);
    const added = target.filter((machine) => !record.machines.some((known) => known.name === machine.name));
    if (added.length > 0 && plan.driver === 'existing') {
      const { capacity } = await this.planChecks.existing(plan, added);
      if (!capacity.every((line) => line.ok)) {
        throw new AppError(
          'INVALID_ARGUMENT',
          capacity
            .filter((line) => !line.ok)
            .map((line) => line.summary)
            .join(' '),
          { capacity },
        );
      }
    } else if (added.length > 0) {
      const report = await this.options.hosts.probe(plan.hostId);
      const capacity = capacityLines(added, report.capacity, { reserve: false });
      if (!capacity.every((line) => line.ok)) {
        throw new AppError(
          'INVALID_ARGUMENT',
          `The host has no room for ${added.length} more VM(s): ${capacity
            .filter((l) => !l.ok)
            .map((l) => l.summary)
            .join(' ')}`,
          {
            capacity,
          },
        );
      }
    }
    record.plan = plan;
    record.removing = record.machines
      .filter((machine) => !target.some((kept) => kept.name === machine.name))
      .map((machine) => machine.name);
    record.machines = [...record.machines, ...added];
    record.status = 'running';
    this.newOperation(record, 'scale', request.drainTimeoutSeconds);
    await this.store.write(record);
    this.start(record);
    return this.summarize(record);
  }

  async remove(name: string): Promise<LabSummary> {
    await this.cancel(name);
    const record = await this.idle(name);
    record.status = 'running';
    this.newOperation(record, 'delete');
    await this.store.write(record);
    this.start(record);
    return this.summarize(record);
  }

  async etcdSnapshots(name: string): Promise<EtcdSnapshotList> {
    const record = await this.current(name);
    return listEtcdSnapshots(record.plan, (argv, options) => this.options.hosts.run(record.plan.hostId, argv, options));
  }

  async saveEtcdSnapshot(name: string, request: EtcdSnapshotRequest): Promise<LabSummary> {
    // Names are per second: a second save within the same second takes the next free one.
    const taken = new Set((await this.etcdSnapshots(name)).snapshots.map((snapshot) => snapshot.name));
    let at = Date.now();
    while (taken.has(snapshotName(new Date(at)))) at += 1000;
    return this.startEtcdOperation(name, 'etcd-snapshot', { snapshot: snapshotName(new Date(at)), ...request });
  }

  async restoreEtcdSnapshot(name: string, snapshot: string): Promise<LabSummary> {
    const { snapshots } = await this.etcdSnapshots(name);
    if (!snapshots.some((known) => known.name === snapshot)) {
      throw new AppError('NOT_FOUND', `Lab "${name}" has no etcd snapshot ${snapshot} on its host.`, {
        fix: 'Pick a snapshot from the list.',
      });
    }
    return this.startEtcdOperation(name, 'etcd-restore', { snapshot });
  }

  async labSnapshots(name: string): Promise<LabSnapshotList> {
    const record = await this.current(name);
    return listLabSnapshots(record.plan, record.machines, await this.snapshotHost(record));
  }

  async saveLabSnapshot(name: string): Promise<LabSummary> {
    const record = await this.idle(name);
    if (record.status !== 'ready') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" is ${record.status}: resume it before taking a lab snapshot.`, { lab: name });
    }
    // Names are per second: a second snapshot within the same second takes the next free one.
    const taken = new Set((await this.labSnapshots(name)).snapshots.map((snapshot) => snapshot.name));
    let at = Date.now();
    while (taken.has(labSnapshotName(new Date(at)))) at += 1000;
    return this.startLabSnapshotOperation(record, 'lab-snapshot', labSnapshotName(new Date(at)));
  }

  async revertLabSnapshot(name: string, snapshot: string): Promise<LabSummary> {
    const record = await this.idle(name);
    checkRevert(await this.labSnapshots(name), name, snapshot, record.machines);
    return this.startLabSnapshotOperation(record, 'lab-revert', snapshot);
  }

  async deleteLabSnapshot(name: string, snapshot: string): Promise<LabSnapshotList> {
    const record = await this.idle(name);
    await deleteLabSnapshot(record.plan, record.machines, await this.snapshotHost(record), snapshot);
    return this.labSnapshots(name);
  }

  private async startLabSnapshotOperation(record: LabRecord, kind: LabSnapshotOperation, snapshot: string): Promise<LabSummary> {
    const problem = labSnapshotProblem(record.plan);
    if (problem !== undefined) throw new AppError('INVALID_ARGUMENT', problem, { lab: record.plan.name });
    record.status = 'running';
    record.labSnapshot = snapshot;
    this.newOperation(record, kind);
    await this.store.write(record);
    this.start(record);
    return this.summarize(record);
  }

  async upgrade(name: string, request: UpgradeRequest): Promise<LabSummary> {
    const record = await this.idle(name);
    if (record.status !== 'ready') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" is ${record.status}: resume its last operation before upgrading it.`, {
        lab: name,
      });
    }
    checkUpgrade(record.plan, request.kubernetesVersion);
    // The plan names the target from now on: a resume continues towards it, and machines joined later get it.
    record.plan = { ...record.plan, kubernetesVersion: request.kubernetesVersion };
    record.status = 'running';
    this.newOperation(record, 'upgrade', request.drainTimeoutSeconds);
    await this.store.write(record);
    this.start(record);
    return this.summarize(record);
  }

  private async snapshotHost(record: LabRecord): Promise<SnapshotHost> {
    return hostAccess(this.options.hosts, record.plan.hostId, await this.options.hosts.get(record.plan.hostId));
  }

  private async startEtcdOperation(
    name: string,
    kind: 'etcd-snapshot' | 'etcd-restore',
    request: EtcdOperationRequest,
  ): Promise<LabSummary> {
    const record = await this.idle(name);
    checkEtcdOperation(record.plan, kind);
    if (record.status !== 'ready') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" is ${record.status}: resume it before working with etcd snapshots.`, {
        lab: name,
      });
    }
    record.status = 'running';
    this.newOperation(record, kind);
    if (record.operation !== undefined) record.operation.etcd = request;
    await this.store.write(record);
    this.start(record);
    return this.summarize(record);
  }

  async machineAction(name: string, machine: string, request: MachineActionRequest): Promise<LabSummary> {
    const record = await this.idle(name);
    const { plan } = record;
    checkMachineAction(
      { name, status: record.status, kind: record.operation?.kind, machines: record.machines, driver: plan.driver },
      machine,
      request,
    );
    record.status = 'running';
    const kind = machineOperationKind(request.action);
    this.newOperation(record, kind, request.drainTimeoutSeconds);
    if (record.operation !== undefined) {
      record.operation.machine = machine;
      record.operation.node = {
        ...(request.deleteEmptyDirData === undefined ? {} : { deleteEmptyDirData: request.deleteEmptyDirData }),
        ...(request.drillMinutes === undefined ? {} : { drillMinutes: request.drillMinutes }),
      };
      if (kind === 'failure-drill') record.operation.timeline = [];
    }
    await this.store.write(record);
    this.start(record);
    return this.summarize(record);
  }

  async machineStatuses(name: string): Promise<MachineStatus[]> {
    const record = await this.current(name);
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
    const record = await this.current(name);
    if (record.plan.driver === 'existing') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${name}" runs on machines of their own: Nestlab cannot recreate them.`, {
        lab: name,
        fix: 'Self-healing is for labs whose workers are VMs Nestlab made (libvirt, Hyper-V).',
      });
    }
    const state = record.selfHealing ?? { settings, events: [] };
    const wasOn = record.selfHealing !== undefined && state.settings.enabled && state.tripped === undefined;
    state.settings = settings;
    record.selfHealing = state;
    const at = new Date().toISOString();
    const limits = `grace ${settings.graceSeconds} s; at most ${settings.maxMachines} machine(s) and ${Math.round(settings.maxFraction * 100)}% of the workers within ${settings.windowMinutes} min`;
    if (settings.enabled && !wasOn) {
      delete state.tripped;
      this.addHealingEvent(record, { at, kind: 'armed', reason: `Turned on: ${limits}.` });
    } else if (!settings.enabled && (wasOn || state.tripped !== undefined)) {
      delete state.tripped;
      this.addHealingEvent(record, { at, kind: 'disarmed', reason: 'Turned off.' });
    }
    await this.flush(record);
    return this.summarize(record);
  }

  /** Keeps the event with the lab (the newest SELF_HEALING_EVENTS_KEPT) and logs it with its reason. */
  private addHealingEvent(record: LabRecord, event: SelfHealingEvent): void {
    const state = record.selfHealing;
    if (state === undefined) return;
    state.events = [...state.events, event].slice(-SELF_HEALING_EVENTS_KEPT);
    const what = { recreate: `recreate ${event.machine ?? ''}`, tripped: 'the meltdown guard tripped', armed: 'on', disarmed: 'off' }[
      event.kind
    ];
    this.logBuffer.append(record.plan.name, { stepId: 'self-healing', stream: 'info', text: `Self-healing: ${what}. ${event.reason}` });
  }

  async logs(name: string, query: LabLogQuery): Promise<LabLogLine[]> {
    await this.current(name);
    return this.logBuffer.query(name, query);
  }

  /** Main-process and tests: resolves when the lab's running operation (if any) has settled. */
  async whenSettled(name: string): Promise<void> {
    await this.running.get(name)?.done;
  }

  /** Stops running operations; their labs are left 'interrupted' for the next start to resume. */
  dispose(): void {
    this.disposed = true;
    this.healer.stop();
    for (const running of this.running.values()) running.controller.abort();
    for (const timer of this.flushTimers.values()) clearTimeout(timer);
    void this.apiTunnels.dispose();
    this.labEmitter.dispose();
    this.logEmitter.dispose();
    this.removeEmitter.dispose();
  }

  private async current(name: string): Promise<LabRecord> {
    await this.recovered;
    return this.running.get(name)?.record ?? this.store.read(name);
  }

  /** The lab's record when no operation runs (CONFLICT while one does). */
  private async idle(name: string): Promise<LabRecord> {
    await this.recovered;
    const running = this.running.get(name);
    if (running !== undefined) {
      if (running.record.status === 'running') {
        throw new AppError('CONFLICT', `Lab "${name}" is busy with an operation. Wait for it or cancel it first.`, { lab: name });
      }
      // The operation has ended and is writing its last state.
      await running.done;
    }
    return this.store.read(name);
  }

  private newOperation(record: LabRecord, kind: LabOperationKind, drainTimeoutSeconds?: number): void {
    record.operation = {
      kind,
      steps: [],
      progress: 0,
      startedAt: new Date().toISOString(),
      elapsedMs: 0,
      remainingMs: 0,
      ...(drainTimeoutSeconds === undefined ? {} : { drainTimeoutSeconds }),
    };
  }

  /** The plan after a scale request: new worker counts, or (existing machines) a new machine list with the same control planes. */
  private scaledPlan(record: LabRecord, request: ScaleRequest): LabPlan {
    if (record.plan.driver !== 'existing') {
      return { ...record.plan, linuxWorkers: request.linuxWorkers, windowsWorkers: request.windowsWorkers };
    }
    const machines = request.existingMachines;
    const controlPlanes = (list: readonly { hostId: string; role: string }[]) =>
      list
        .filter((machine) => machine.role === 'control-plane')
        .map((machine) => machine.hostId)
        .sort()
        .join(',');
    if (machines === undefined || controlPlanes(machines) !== controlPlanes(record.plan.existingMachines ?? [])) {
      throw new AppError(
        'INVALID_ARGUMENT',
        'A lab of existing machines scales by its machine list: send existingMachines with the same control planes and the workers to keep or add.',
        { field: 'existingMachines' },
      );
    }
    return normalizePlan({ ...record.plan, existingMachines: machines });
  }

  private clusterSteps(
    plan: LabPlan,
    host: { name: string; address: string },
    inventory: ReadonlyMap<string, HostSummary>,
    owns: () => boolean,
    record?: LabRecord,
    drainTimeoutSeconds?: number,
  ) {
    return createClusterSteps({
      clusters: this.options.clusters,
      hostName: host.name,
      hostAddress: host.address,
      ...(plan.driver === 'existing'
        ? { machineHost: (machine: LabMachine) => inventory.get(hostIdOf(machine))?.name ?? hostIdOf(machine) }
        : {}),
      context: plan.name,
      ownsContext: owns,
      onSaved: (context) => {
        if (record === undefined) return;
        if (context === undefined) delete record.context;
        else record.context = context;
      },
      drainTimeoutMs: (drainTimeoutSeconds ?? DEFAULT_DRAIN_TIMEOUT_S) * 1000,
      ...(this.options.verifyKubeconfig === undefined ? {} : { verify: this.options.verifyKubeconfig }),
      ...(record === undefined
        ? {}
        : { route: (ctx: StepContext, server: EndpointRoute, ca: string) => this.endpointRoute(record, ctx, server, ca) }),
    });
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
      this.scheduleFlush(record);
    };
    try {
      const host = await this.options.hosts.get(record.plan.hostId);
      const inventory = await existingInventory(this.options.hosts, { ...record.plan, existingMachines: knownMachines(record) });
      const driver = driverFor(record.plan, host.storagePath, record.id, inventory);
      const removed = record.machines.filter((machine) => record.removing.includes(machine.name));
      const target = record.machines.filter((machine) => !record.removing.includes(machine.name));
      const cluster = this.clusterSteps(record.plan, host, inventory, () => record.context === name, record, operation.drainTimeoutSeconds);
      const definitions: StepDefinition[] = isEtcdOperation(operation.kind)
        ? etcdOperationSteps(operation.kind, record.plan, target, operation.etcd ?? { snapshot: '' }, driver, this.options.dataDir)
        : isMachineOperation(operation.kind)
          ? machineOperationSteps({
              kind: operation.kind,
              plan: record.plan,
              machine: this.operationMachine(record),
              machines: target,
              driver,
              cluster,
              kube: kubeCallOf((request) => this.options.clusters.requestAs(record.context ?? name, request)),
              request: (operation.node ??= {}),
              timeline: (operation.timeline ??= []),
            })
          : isLabOperation(operation.kind)
            ? labOperationSteps(operation.kind, record.plan, target, record.labSnapshot, cluster)
            : planSteps(operation.kind, record.plan, operation.kind === 'delete' ? record.machines : target, driver, cluster, removed);
      const previous = new Map(operation.steps.map((step) => [step.id, step]));
      operation.steps = initialSteps(definitions).map((step) => previous.get(step.id) ?? step);
      const env: EngineEnvironment = {
        plan: record.plan,
        machines: operation.kind === 'delete' ? record.machines : target,
        storagePath: host.storagePath,
        hostAddress: host.address,
        driver,
        host: hostAccess(this.options.hosts, record.plan.hostId, host),
        ...(record.plan.driver === 'existing'
          ? {
              machineAccess: (machine: LabMachine) => {
                const summary = inventory.get(hostIdOf(machine));
                if (summary === undefined) {
                  throw new AppError('NOT_FOUND', `The host of ${machine.name} is no longer in the inventory.`, {
                    fix: 'Add it again in the Hosts view, then resume.',
                  });
                }
                return hostAccess(this.options.hosts, summary.id, summary, true);
              },
            }
          : {}),
        log: (line) => this.logBuffer.append(name, line),
        changed,
      };
      await runSteps(env, operation, definitions, signal);
      operation.finishedAt = new Date().toISOString();
      record.status = 'ready';
      if (operation.kind === 'scale') {
        record.machines = target;
        record.removing = [];
      }
      changed();
      if (operation.kind === 'delete') {
        await this.flush(record);
        await this.store.delete(name);
        await this.apiTunnels.close(name);
        this.tunnelProblems.delete(name);
        this.logBuffer.forget(name);
        this.removeEmitter.fire({ name });
        return;
      }
    } catch (error) {
      const appError = AppError.from(error);
      operation.error = appError.toJSON();
      record.status = this.disposed ? 'interrupted' : appError.code === 'CANCELLED' ? 'cancelled' : 'failed';
      this.logBuffer.append(name, { stepId: 'operation', stream: 'stderr', text: appError.message });
      changed();
    }
    await this.flush(record);
  }

  /** The machine a machine operation is about. */
  private operationMachine(record: LabRecord): LabMachine {
    const machine = record.machines.find((candidate) => candidate.name === record.operation?.machine);
    if (machine === undefined)
      throw new AppError('NOT_FOUND', `Lab "${record.plan.name}" has no machine ${record.operation?.machine ?? ''}.`);
    return machine;
  }

  private scheduleFlush(record: LabRecord): void {
    const name = record.plan.name;
    if (this.flushTimers.has(name)) return;
    this.flushTimers.set(
      name,
      setTimeout(() => {
        void this.flush(record).catch(() => undefined);
      }, this.options.changeIntervalMs ?? 100),
    );
  }

  /** Persist the record and fire what changed (log lines first, then the summary). */
  private async flush(record: LabRecord): Promise<void> {
    const name = record.plan.name;
    const timer = this.flushTimers.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.flushTimers.delete(name);
    const lines = this.logBuffer.takePending(name);
    if (lines !== undefined && lines.length > 0) this.logEmitter.fire({ lab: name, lines });
    await this.store.write(record);
    this.labEmitter.fire(this.summarize(record));
  }

  private summarize(record: LabRecord): LabSummary {
    const summary: LabSummary = {
      name: record.plan.name,
      hostId: record.plan.hostId,
      status: record.status,
      plan: record.plan,
      machines: record.machines.map((machine: LabMachine) => ({ ...machine })),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
    if (record.context !== undefined) summary.context = record.context;
    if (record.selfHealing !== undefined) summary.selfHealing = structuredClone(record.selfHealing);
    if (record.operation !== undefined) {
      const { drainTimeoutSeconds: _drain, etcd: _etcd, node: _node, ...operation } = record.operation;
      summary.operation = structuredClone(operation);
    }
    const access = record.endpointAccess;
    if (access !== undefined) {
      const problem = this.tunnelProblems.get(record.plan.name);
      summary.endpointAccess = access.mode === 'tunnel' && problem !== undefined ? { ...access, problem } : { ...access };
    }
    return summary;
  }
}
