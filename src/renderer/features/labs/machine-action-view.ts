/**
 * What the machine actions show and allow: a machine's node in words, why an action cannot start
 * now, and the lab a topology context belongs to.
 */
import type { LabMachine, LabSummary, MachineStatus } from '../../../shared/contract';

const machineOperations = new Set(['maintain', 'resume-node']);

/** Why no machine action can start in this lab now, or undefined when one can. */
export function machineActionBlocked(lab: LabSummary): string | undefined {
  if (lab.status === 'running') return 'Wait for the running operation to finish.';
  if (lab.status === 'ready' || machineOperations.has(lab.operation?.kind ?? '')) return undefined;
  return `The lab is ${lab.status}: resume it first.`;
}

/** Why this machine has no node to act on, or undefined when it has one. */
export function machineWithoutNode(machine: LabMachine): string | undefined {
  if (machine.role === 'etcd') return 'etcd only: no Kubernetes node';
  if (machine.state !== 'joined') return 'not joined yet';
  return undefined;
}

/** The node as the list shows it: "Ready", "Ready, cordoned", "NotReady", or why there is none. */
export function nodeStateLabel(machine: LabMachine, status: MachineStatus | undefined): string {
  const without = machineWithoutNode(machine);
  if (without !== undefined) return without;
  if (status === undefined) return '…';
  if (status.nodeError !== undefined) return 'unknown (the API server did not answer)';
  if (status.node === undefined) return 'no node registered';
  return `${status.node.ready ? 'Ready' : 'NotReady'}${status.node.unschedulable ? ', cordoned' : ''}`;
}

/** The lab whose saved context is `context` (the topology map's context), if Nestlab made it. */
export function labOfContext(labs: readonly LabSummary[] | undefined, context: string | undefined): LabSummary | undefined {
  if (context === undefined) return undefined;
  return labs?.find((lab) => lab.context === context);
}

/** The lab's operation, when it is a machine operation on `machine`. */
export function machineOperationOf(lab: LabSummary, machine: string) {
  const operation = lab.operation;
  return operation !== undefined && machineOperations.has(operation.kind) && operation.machine === machine ? operation : undefined;
}
