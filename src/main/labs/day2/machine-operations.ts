/**
 * Day-2 operations on one machine of a lab, run by the engine like any operation: Maintain
 * (cordon and drain its node; it stays cordoned) and Resume (uncordon). Also the machines' nodes
 * as the cluster shows them now.
 */
import type {
  LabMachine,
  LabOperationKind,
  LabStatus,
  MachineAction,
  MachineActionRequest,
  MachineStatus,
} from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import type { KubeRequest } from '../../kube/target-request';
import { step } from '../step-planner';
import type { ClusterSteps, StepDefinition } from '../step-planner';

export type MachineOperationKind = 'maintain' | 'resume-node';

/** What a machine operation was asked for, persisted with it (a resume runs it again). */
export interface MachineOperationRequest {
  deleteEmptyDirData?: boolean;
}

const kinds: Record<MachineAction, MachineOperationKind> = { maintain: 'maintain', resume: 'resume-node' };

export const isMachineOperation = (kind: LabOperationKind | undefined): kind is MachineOperationKind =>
  kind === 'maintain' || kind === 'resume-node';

export const machineOperationKind = (action: MachineAction): MachineOperationKind => kinds[action];

/**
 * The machine the action is for, or why it cannot run: the lab must be ready, or stopped in a
 * machine operation (a drain that timed out must not block the next Maintain or a Resume).
 */
export function checkMachineAction(
  lab: { name: string; status: LabStatus; kind: LabOperationKind | undefined; machines: readonly LabMachine[] },
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
  if (machine.role === 'etcd' || machine.state !== 'joined') {
    const why = machine.role === 'etcd' ? 'runs etcd only and is no Kubernetes node' : 'has not joined the cluster yet';
    throw new AppError('INVALID_ARGUMENT', `${name} ${why}, so it has no node to ${request.action}.`, { lab: lab.name, machine: name });
  }
  return machine;
}

/** The steps of a machine operation. */
export function machineOperationSteps(
  kind: MachineOperationKind,
  machine: LabMachine,
  cluster: ClusterSteps,
  request: MachineOperationRequest,
): StepDefinition[] {
  const name = machine.name;
  if (kind === 'resume-node')
    return [step('uncordon', `uncordon:${name}`, `Uncordon ${name}`, (ctx) => cluster.uncordon(ctx, machine), name)];
  return [
    step('cordon', `cordon:${name}`, `Cordon ${name}`, (ctx) => cluster.cordon(ctx, machine), name),
    step(
      'drain',
      `drain:${name}`,
      `Drain ${name}`,
      (ctx) => cluster.drain(ctx, machine, { deleteEmptyDirData: request.deleteEmptyDirData ?? false }),
      name,
    ),
  ];
}

interface NodeView {
  metadata: { name: string };
  spec?: { unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string }[] };
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
    return {
      name: machine.name,
      node: {
        ready: node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false,
        unschedulable: node.spec?.unschedulable === true,
      },
    };
  });
}
