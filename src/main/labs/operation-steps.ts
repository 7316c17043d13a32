/**
 * What an operation runs: its steps by kind (provision, scale and delete from step-planner.ts, the
 * day-2 operations from day2/), with the Kubernetes side (cluster-steps.ts) wired to the clusters
 * service and the lab's endpoint access, and the engine's environment (the host, its driver, the
 * machines). The dry run lists the same steps.
 */
import type { HostSummary } from '../../shared/contract/hosts';
import type { DryRunResult, LabMachine, LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import type { ConnectionTarget } from '../kube/connection-target';
import { etcdOperationSteps, isEtcdOperation } from './day2/etcd-operations';
import { isLabOperation, labOperationSteps } from './day2/lab-operations';
import { isMachineOperation, kubeCallOf, machineOperationSteps } from './day2/machine-operations';
import { createClusterSteps } from './cluster-steps';
import type { EndpointRoute, LabClusters } from './cluster-steps';
import type { LabEndpointAccess } from './endpoint-access';
import { dryRunSteps } from './engine';
import type { EngineEnvironment } from './engine';
import { hostIdOf } from './existing-driver';
import { driverFor, existingInventory, hostAccess, knownMachines, type LabHosts } from './host-access';
import type { LabRecord } from './lab-store';
import { machinesOf, normalizePlan } from './machines';
import { validatePlan } from './plan-validation';
import type { StepContext } from './step-context';
import { planSteps } from './step-planner';
import type { StepDefinition } from './step-planner';

const DEFAULT_DRAIN_TIMEOUT_S = 120;

export interface OperationStepsOptions {
  /** Nestlab's data folder (etcd snapshots copied here are kept under it). */
  dataDir: string;
  hosts: LabHosts;
  clusters: LabClusters;
  endpoints: LabEndpointAccess;
  /** Verify the lab's credentials by connecting (default: GET /version). */
  verifyKubeconfig?: (target: ConnectionTarget) => Promise<string>;
}

/** A lab's operation ready to run. */
export interface PreparedOperation {
  definitions: StepDefinition[];
  /** The engine's environment but its log and change callbacks (the operation runner's). */
  env: Omit<EngineEnvironment, 'log' | 'changed'>;
  /** The machines the lab keeps: a scale's new machine list once it finished. */
  target: LabMachine[];
}

export class OperationSteps {
  constructor(private readonly options: OperationStepsOptions) {}

  /** Every step of provisioning the plan with its commands, run against nothing. */
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

  /** The steps of the record's operation and what they run on (the host is looked up now). */
  async prepare(record: LabRecord): Promise<PreparedOperation> {
    const operation = record.operation;
    if (operation === undefined) throw new AppError('INTERNAL', `Lab "${record.plan.name}" has no operation to run.`);
    const name = record.plan.name;
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
            machine: operationMachine(record),
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
    const env: PreparedOperation['env'] = {
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
    };
    return { definitions, env, target };
  }

  /** The Kubernetes side of the lab's steps; `record` (not in a dry run) keeps the saved context and the endpoint access. */
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
        : {
            route: (ctx: StepContext, server: EndpointRoute, ca: string) => this.options.endpoints.route(record, ctx, server, ca),
          }),
    });
  }
}

/** The machine a machine operation is about. */
function operationMachine(record: LabRecord): LabMachine {
  const machine = record.machines.find((candidate) => candidate.name === record.operation?.machine);
  if (machine === undefined)
    throw new AppError('NOT_FOUND', `Lab "${record.plan.name}" has no machine ${record.operation?.machine ?? ''}.`);
  return machine;
}
