/**
 * Day-2 operations on one machine of a lab, run by the engine like any operation: Maintain
 * (cordon and drain its node; it stays cordoned) and Resume (uncordon); Start, Stop and Restart of
 * its VM (drained first, uncordoned once Ready after the boot); Recreate of a worker (its VM and
 * node deleted, a new VM of the same name joined through the provisioning steps); the failure
 * drill (failure-drill.ts). Also the machines' nodes and VMs as the cluster and hypervisor show them now.
 */
import type {
  DrillEvent,
  LabMachine,
  LabOperationKind,
  LabPlan,
  LabStatus,
  MachineAction,
  MachineActionRequest,
  MachinePower,
  MachineStatus,
} from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import type { KubeRequest } from '../../kube/target-request';
import type { LabDriver } from '../lab-driver';
import { skipped } from '../step-context';
import type { StepContext } from '../step-context';
import { growSteps, step } from '../step-planner';
import type { ClusterSteps, StepDefinition } from '../step-planner';
import type { KubeCall } from './drain';
import { drillSteps } from './failure-drill';
import type { DrillRecord } from './failure-drill';
import { nodeBootId, waitReadyAfterBoot } from './vm-power';
import type { PowerReader } from './vm-power';

export type MachineOperationKind =
  'maintain' | 'resume-node' | 'start-machine' | 'stop-machine' | 'restart-machine' | 'recreate-machine' | 'failure-drill';

/** What a machine operation was asked for, persisted with it (a resume runs it again). */
export interface MachineOperationRequest {
  deleteEmptyDirData?: boolean;
  /** The node's boot ID before this operation started its VM (start, restart): Ready counts only with another one. */
  bootIdBefore?: string;
  /** simulate-failure: how long to watch, and what was on the node when the VM was turned off. */
  drillMinutes?: number;
  drill?: DrillRecord;
}

const kinds: Record<MachineAction, MachineOperationKind> = {
  maintain: 'maintain',
  resume: 'resume-node',
  start: 'start-machine',
  stop: 'stop-machine',
  restart: 'restart-machine',
  recreate: 'recreate-machine',
  'simulate-failure': 'failure-drill',
};
const operationKinds = new Set<LabOperationKind>(Object.values(kinds));

export const isMachineOperation = (kind: LabOperationKind | undefined): kind is MachineOperationKind =>
  kind !== undefined && operationKinds.has(kind);

export const machineOperationKind = (action: MachineAction): MachineOperationKind => kinds[action];

/** Actions on the VM itself: only for labs whose machines are VMs Nestlab runs. */
const vmActions = new Set<MachineAction>(['start', 'stop', 'restart', 'recreate', 'simulate-failure']);
/** Actions that take a worker away for good or on purpose: never a control plane. */
const workerOnly = new Set<MachineAction>(['recreate', 'simulate-failure']);

/**
 * The machine the action is for, or why it cannot run: the lab must be ready, or stopped in a
 * machine operation (a drain that timed out must not block the next Maintain or a Resume).
 */
export function checkMachineAction(
  lab: {
    name: string;
    status: LabStatus;
    kind: LabOperationKind | undefined;
    machines: readonly LabMachine[];
    driver?: LabPlan['driver'];
  },
  name: string,
  request: MachineActionRequest,
): LabMachine {
  const machine = lab.machines.find((candidate) => candidate.name === name);
  if (machine === undefined) {
    throw new AppError('NOT_FOUND', `Lab "${lab.name}" has no machine named "${name}".`, {
      lab: lab.name,
      fix: 'Pick a machine from the lab’s list.',
    });
  }
  if (lab.status !== 'ready' && !isMachineOperation(lab.kind)) {
    throw new AppError('INVALID_ARGUMENT', `Lab "${lab.name}" is ${lab.status}: resume it before working on its machines.`, {
      lab: lab.name,
    });
  }
  if (vmActions.has(request.action) && lab.driver === 'existing') {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${name} is a machine of its own, not a VM Nestlab runs, so Nestlab cannot ${request.action === 'simulate-failure' ? 'turn it off' : request.action} it.`,
      { lab: lab.name, machine: name, fix: 'Use the machine’s own console or power controls; Maintain and Resume work on its node.' },
    );
  }
  if (workerOnly.has(request.action) && machine.role !== 'linux-worker' && machine.role !== 'windows-worker') {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${name} is ${machine.role === 'etcd' ? 'an etcd VM' : 'a control plane'}: only workers can be ${request.action === 'recreate' ? 'recreated' : 'failed on purpose'}.`,
      { lab: lab.name, machine: name },
    );
  }
  // A recreation may start over a worker that never finished joining; everything else needs its node.
  if (request.action !== 'recreate' && (machine.role === 'etcd' || machine.state !== 'joined')) {
    const why = machine.role === 'etcd' ? 'runs etcd only and is no Kubernetes node' : 'has not joined the cluster yet';
    throw new AppError('INVALID_ARGUMENT', `${name} ${why}, so it has no node to ${request.action}.`, { lab: lab.name, machine: name });
  }
  return machine;
}

/** What the steps of a machine operation work with. */
export interface MachineOperationContext {
  kind: MachineOperationKind;
  plan: LabPlan;
  machine: LabMachine;
  /** Every machine of the lab (the recreated worker joins through the first control plane). */
  machines: LabMachine[];
  driver: LabDriver;
  cluster: ClusterSteps;
  kube: KubeCall;
  /** Persisted with the operation: steps write what a resume needs (the boot ID, the drill's start). */
  request: MachineOperationRequest;
  /** failure-drill: the operation's timeline, written as events are seen. */
  timeline: DrillEvent[];
}

/** A KubeCall over a request function that answers unknown (each caller knows what its path answers). */
export function kubeCallOf(request: (request: Parameters<KubeCall>[0]) => Promise<unknown>): KubeCall {
  return <T>(call: Parameters<KubeCall>[0]) => request(call) as Promise<T>;
}

function powerMethod<K extends 'startVm' | 'stopVm'>(driver: LabDriver, method: K): NonNullable<LabDriver[K]> {
  const bound = driver[method]?.bind(driver);
  if (bound === undefined) throw new AppError('INVALID_ARGUMENT', 'This lab’s machines are not VMs Nestlab runs.');
  return bound as NonNullable<LabDriver[K]>;
}

/** The steps of a machine operation. */
export function machineOperationSteps(context: MachineOperationContext): StepDefinition[] {
  const { kind, machine, cluster, driver, request, kube } = context;
  const name = machine.name;
  const cordon = step('cordon', `cordon:${name}`, `Cordon ${name}`, (ctx) => cluster.cordon(ctx, machine), name);
  const drain = step(
    'drain',
    `drain:${name}`,
    `Drain ${name}`,
    (ctx) => cluster.drain(ctx, machine, { deleteEmptyDirData: request.deleteEmptyDirData ?? false }),
    name,
  );
  const uncordon = step('uncordon', `uncordon:${name}`, `Uncordon ${name}`, (ctx) => cluster.uncordon(ctx, machine), name);
  const shutDown = step(
    'power-off',
    `shutdown:${name}`,
    `Shut down VM ${name}`,
    (ctx) => powerMethod(driver, 'stopVm')(ctx, machine, 'shutdown'),
    name,
  );
  const start = step(
    'power-on',
    `start:${name}`,
    `Start VM ${name}`,
    async (ctx) => {
      const before = ctx.dry ? undefined : await nodeBootId(kube, name);
      const outcome = await powerMethod(driver, 'startVm')(ctx, machine);
      // Recorded once: a resume after the start finds the VM running and keeps the boot ID from before it.
      if (outcome.status === 'done' && request.bootIdBefore === undefined) request.bootIdBefore = before ?? '';
      return outcome;
    },
    name,
  );
  const readyAfterBoot = step(
    'nodes',
    `ready-after-boot:${name}`,
    `Wait for node ${name} to be Ready after the boot`,
    async (ctx) => waitReadyAfterBoot(ctx, kube, machine, request.bootIdBefore, (await driver.bootTimeoutMs?.(ctx)) ?? 900_000),
    name,
  );
  switch (kind) {
    case 'resume-node':
      return [uncordon];
    case 'maintain':
      return [cordon, drain];
    case 'stop-machine':
      return [cordon, drain, shutDown];
    case 'start-machine':
      return [start, readyAfterBoot, uncordon];
    case 'restart-machine':
      return [cordon, drain, shutDown, start, readyAfterBoot, uncordon];
    case 'recreate-machine':
      return recreateSteps(context);
    case 'failure-drill':
      return drillSteps(context);
  }
}

/**
 * Recreate a worker: drained while its node is Ready (a NotReady node's pods are deleted with the
 * node), its VM deleted with its disk and seed, its node deleted, then the provisioning steps of a
 * new VM with the same name, role and size (create, address, SSH, join, annotate, Ready). Every
 * step observes first, so a resume continues where it stopped.
 */
function recreateSteps(context: MachineOperationContext): StepDefinition[] {
  const { plan, machine, machines, driver, cluster, request } = context;
  const name = machine.name;
  return [
    step('cordon', `cordon:${name}`, `Cordon ${name}`, (ctx) => cluster.cordon(ctx, machine), name),
    step(
      'drain',
      `drain:${name}`,
      `Drain ${name} (when its node is Ready)`,
      async (ctx) => {
        if (!ctx.dry && machine.state === 'joined' && !(await nodeReady(context.kube, name))) {
          return skipped(`${name} is not Ready: its pods are deleted with its node and started elsewhere by their controllers.`);
        }
        return cluster.drain(ctx, machine, { deleteEmptyDirData: request.deleteEmptyDirData ?? true });
      },
      name,
    ),
    step(
      'power-off',
      `delete-vm:${name}`,
      `Delete VM ${name} (its disk and seed too)`,
      async (ctx: StepContext) => {
        const outcome = await driver.deleteVm(ctx, machine);
        machine.state = 'absent';
        return outcome;
      },
      name,
    ),
    step('delete-nodes', `delete-node:${name}`, `Delete node ${name}`, (ctx) => cluster.deleteNode(ctx, machine), name),
    ...growSteps(driver, cluster, [machine], plan, machines).filter((definition) => definition.id !== 'kubeconfig'),
  ];
}

async function nodeReady(kube: KubeCall, name: string): Promise<boolean> {
  try {
    const node = await kube<NodeView>({ path: `/api/v1/nodes/${encodeURIComponent(name)}` });
    return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  } catch (error) {
    if (AppError.from(error).code === 'NOT_FOUND') return false;
    throw error;
  }
}

interface NodeView {
  metadata: { name: string };
  spec?: { unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
}

/** Each machine's node (one list of the cluster's nodes); `nodeError` on every machine when the API server did not answer. */
export async function machineStatuses(
  machines: readonly LabMachine[],
  request: (request: KubeRequest) => Promise<unknown>,
): Promise<MachineStatus[]> {
  let nodes: Map<string, NodeView>;
  try {
    const list = (await request({ path: '/api/v1/nodes' })) as { items: NodeView[] };
    nodes = new Map(list.items.map((node) => [node.metadata.name, node]));
  } catch (error) {
    const message = AppError.from(error).message;
    return machines.map((machine) => ({ name: machine.name, nodeError: message }));
  }
  return machines.map((machine) => {
    const node = nodes.get(machine.name);
    if (node === undefined) return { name: machine.name };
    const condition = node.status?.conditions?.find((candidate) => candidate.type === 'Ready');
    return {
      name: machine.name,
      node: {
        ready: condition?.status === 'True',
        unschedulable: node.spec?.unschedulable === true,
        ...(condition?.lastTransitionTime === undefined ? {} : { since: condition.lastTransitionTime }),
      },
    };
  });
}

/**
 * The machines' statuses with their VMs' power states (one look at the hypervisor, beside the
 * node list); `powerError` on every machine when the host did not answer.
 */
export async function withPowerStates(
  statuses: MachineStatus[],
  machines: readonly LabMachine[],
  driver: LabDriver,
  reader: PowerReader,
): Promise<MachineStatus[]> {
  if (driver.powerStates === undefined) return statuses;
  let power: Map<string, MachinePower>;
  try {
    power = await driver.powerStates(reader, machines);
  } catch (error) {
    const message = AppError.from(error).message;
    return statuses.map((status) => ({ ...status, powerError: message }));
  }
  return statuses.map((status) => {
    const state = power.get(status.name);
    return state === undefined ? status : { ...status, power: state };
  });
}
