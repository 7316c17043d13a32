import type { LabMachine, LabPlan, MachineRole, VmSize } from '../../shared/contract/labs';

/** Name suffix of each role: lab1-cp1, lab1-etcd1, lab1-linux1, lab1-win1. */
const roleSuffix: Record<MachineRole, string> = {
  'control-plane': 'cp',
  etcd: 'etcd',
  'linux-worker': 'linux',
  'windows-worker': 'win',
};

/** Windows computer names (NetBIOS) are at most 15 characters. */
export const WINDOWS_NAME_LIMIT = 15;

export function machineName(lab: string, role: MachineRole, index: number): string {
  return `${lab}-${roleSuffix[role]}${index}`;
}

export function sizeOf(plan: LabPlan, role: MachineRole): VmSize {
  switch (role) {
    case 'control-plane':
      return plan.sizes.controlPlane;
    case 'etcd':
      return plan.sizes.etcd;
    case 'linux-worker':
      return plan.sizes.linuxWorker;
    case 'windows-worker':
      return plan.sizes.windowsWorker;
  }
}

export function osOf(role: MachineRole): 'linux' | 'windows' {
  return role === 'windows-worker' ? 'windows' : 'linux';
}

/** driver 'existing': the worker counts are those of the machine list (the form's sliders do not apply). */
export function normalizePlan(plan: LabPlan): LabPlan {
  if (plan.driver !== 'existing') return plan;
  const count = (role: MachineRole) => (plan.existingMachines ?? []).filter((machine) => machine.role === role).length;
  return { ...plan, linuxWorkers: count('linux-worker'), windowsWorkers: count('windows-worker') };
}

/** Members of an external etcd cluster: a quorum that survives one lost member, whatever the control-plane count. */
export const ETCD_MEMBERS = 3;

/** How many machines of each role the plan asks for. */
export function roleCounts(plan: LabPlan): Record<MachineRole, number> {
  return {
    'control-plane': plan.controlPlaneCount,
    etcd: plan.etcd === 'external' ? ETCD_MEMBERS : 0,
    'linux-worker': plan.linuxWorkers,
    'windows-worker': plan.windowsWorkers,
  };
}

export const roleOrder: readonly MachineRole[] = ['control-plane', 'etcd', 'linux-worker', 'windows-worker'];

/**
 * The machines a plan describes, in a stable order (control planes, etcd, Linux, Windows).
 * `existing` keeps the machines already known (their addresses and states), and new workers take
 * the lowest free index, so scaling 3 -> 2 -> 3 recreates lab1-linux3 rather than lab1-linux4.
 */
export function machinesOf(plan: LabPlan, existing: readonly LabMachine[] = []): LabMachine[] {
  if (plan.driver === 'existing') return existingMachinesOf(plan, existing);
  const counts = roleCounts(plan);
  const result: LabMachine[] = [];
  for (const role of roleOrder) {
    const kept = existing.filter((machine) => machine.role === role).slice(0, counts[role]);
    const taken = new Set(kept.map((machine) => machine.name));
    const machines = [...kept];
    for (let index = 1; machines.length < counts[role]; index += 1) {
      const name = machineName(plan.name, role, index);
      if (!taken.has(name)) machines.push({ name, role, os: osOf(role), size: sizeOf(plan, role), state: 'absent' });
    }
    result.push(...machines.sort((a, b) => indexOf(a.name) - indexOf(b.name)));
  }
  return result;
}

/**
 * driver 'existing': one machine per inventory host of the plan, in role order. A host already
 * known keeps its name and state; a new one takes its role's lowest free index.
 */
function existingMachinesOf(plan: LabPlan, known: readonly LabMachine[]): LabMachine[] {
  const result: LabMachine[] = [];
  for (const role of roleOrder) {
    const wanted = (plan.existingMachines ?? []).filter((machine) => machine.role === role);
    const kept = known.filter((machine) => machine.role === role && wanted.some((w) => w.hostId === machine.hostId));
    const taken = new Set(kept.map((machine) => machine.name));
    const machines = [...kept];
    let index = 1;
    for (const { hostId } of wanted) {
      if (kept.some((machine) => machine.hostId === hostId)) continue;
      while (taken.has(machineName(plan.name, role, index))) index += 1;
      const name = machineName(plan.name, role, index);
      taken.add(name);
      machines.push({ name, role, os: osOf(role), size: sizeOf(plan, role), state: 'absent', hostId });
    }
    result.push(...machines.sort((a, b) => indexOf(a.name) - indexOf(b.name)));
  }
  return result;
}

/** The number at the end of a machine name (lab1-linux12 -> 12). */
export function indexOf(name: string): number {
  return Number(/(\d+)$/.exec(name)?.[1] ?? 0);
}

/** The first control plane, where `kubeadm init` runs and the kubeconfig comes from. */
export function firstControlPlane(machines: readonly LabMachine[]): LabMachine {
  const first = machines.find((machine) => machine.role === 'control-plane');
  if (first === undefined) throw new Error('a lab always has a control plane');
  return first;
}

/** Plural-aware role name for the arithmetic ("1 control plane", "2 Linux workers"). */
export function roleLabel(role: MachineRole, count: number): string {
  const singular: Record<MachineRole, string> = {
    'control-plane': 'control plane',
    etcd: 'etcd VM',
    'linux-worker': 'Linux worker',
    'windows-worker': 'Windows worker',
  };
  return `${count} ${singular[role]}${count === 1 ? '' : 's'}`;
}
