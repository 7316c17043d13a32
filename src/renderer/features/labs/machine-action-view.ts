/**
 * What the machine actions show and allow: a machine's node in words, why an action cannot start
 * now, and the lab a topology context belongs to.
 */
import type { DrillEvent, LabMachine, LabSummary, MachineAction, MachineStatus, VmPowerState } from '../../../shared/contract';

const machineOperations = new Set([
  'maintain',
  'resume-node',
  'start-machine',
  'stop-machine',
  'restart-machine',
  'recreate-machine',
  'failure-drill',
]);

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

const powerWords: Record<VmPowerState, string> = {
  running: 'Running',
  starting: 'Starting',
  stopping: 'Shutting down',
  off: 'Off',
  paused: 'Paused',
  crashed: 'Crashed',
  absent: 'No VM on the host',
  other: 'Other',
};

/** The VM's power state as the list shows it, with the hypervisor's own word where it says more. */
export function powerLabel(lab: LabSummary, status: MachineStatus | undefined): string {
  if (lab.plan.driver === 'existing') return 'not a VM';
  if (status === undefined) return '…';
  if (status.powerError !== undefined) return 'unknown (the host did not answer)';
  if (status.power === undefined) return '…';
  const { state, detail } = status.power;
  return state === 'other' ? `${powerWords[state]} (${detail})` : powerWords[state];
}

/** The power and recovery actions a machine offers now, in the order the list shows them. */
export function powerActions(lab: LabSummary, machine: LabMachine, status: MachineStatus | undefined): MachineAction[] {
  if (lab.plan.driver === 'existing' || machine.role === 'etcd') return [];
  const worker = machine.role === 'linux-worker' || machine.role === 'windows-worker';
  const state = status?.power?.state;
  const actions: MachineAction[] = [];
  if (machine.state === 'joined') {
    if (state === 'off' || state === 'paused' || state === 'crashed') actions.push('start');
    if (state === 'running') actions.push('stop', 'restart');
    if (state === 'running' && worker) actions.push('simulate-failure');
  }
  if (worker) actions.push('recreate');
  return actions;
}

/** The words of each action's button and its confirmation. */
export const machineActionTitles: Record<Exclude<MachineAction, 'maintain' | 'resume'>, { button: string; confirm: string }> = {
  start: { button: 'Start…', confirm: 'Start' },
  stop: { button: 'Stop…', confirm: 'Drain and shut down' },
  restart: { button: 'Restart…', confirm: 'Drain and restart' },
  recreate: { button: 'Recreate…', confirm: 'Delete and recreate' },
  'simulate-failure': { button: 'Simulate a failure…', confirm: 'Turn it off without draining' },
};

/** What an action does, step by step, for its confirmation. */
export function machineActionSteps(action: Exclude<MachineAction, 'maintain' | 'resume'>, machine: string): string[] {
  switch (action) {
    case 'start':
      return [`Start VM ${machine}.`, `Wait until node ${machine} is Ready after the boot.`, `Uncordon ${machine}.`];
    case 'stop':
      return [
        `Cordon ${machine} and evict its pods (PodDisruptionBudgets honoured); DaemonSet and static pods stay.`,
        `Shut VM ${machine} down (turned off if the guest ignores it for 3 minutes). It stays cordoned; Start brings it back.`,
      ];
    case 'restart':
      return [
        `Cordon ${machine} and evict its pods (PodDisruptionBudgets honoured).`,
        `Shut VM ${machine} down and start it again.`,
        `Wait until node ${machine} is Ready after the boot, then uncordon it.`,
      ];
    case 'recreate':
      return [
        `Drain ${machine} if its node is Ready.`,
        `Delete VM ${machine} with its disk, and its node.`,
        `Make a new VM ${machine} with the same role and size, join it and wait until it is Ready.`,
      ];
    case 'simulate-failure':
      return [
        `Turn VM ${machine} off at once, without cordoning or draining, as a power failure would.`,
        'Measure what the cluster does: the node turning NotReady, its taint, each pod’s eviction (after its toleration, 300 s unless the pod says less) and its replacement running elsewhere.',
        `The VM stays off; Start brings it back.`,
      ];
  }
}

/** "+42.1 s" for a drill event. */
export function drillTime(event: DrillEvent): string {
  const seconds = event.atMs / 1000;
  return seconds < 60 ? `+${seconds.toFixed(1)} s` : `+${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
