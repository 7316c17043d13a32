/**
 * What the labs view says about a lab and its steps, in words and an icon (never colour alone),
 * and the times it shows. Events arrive at most every 100 ms and only when something changed, so
 * elapsed and remaining times of a running operation are carried forward from the last event.
 */
import type { LabMachine, LabOperation, LabStep, LabSummary, StepStatus } from '../../../shared/contract';
import type { StatusLabel } from '../../components/StatusBadge';

const operationWords = {
  provision: 'Provisioning',
  scale: 'Scaling',
  delete: 'Deleting',
  'etcd-snapshot': 'Taking an etcd snapshot',
  'etcd-restore': 'Restoring etcd',
  maintain: 'Draining a node',
  'resume-node': 'Uncordoning a node',
  'lab-snapshot': 'Taking a lab snapshot',
  'lab-revert': 'Reverting to a lab snapshot',
  upgrade: 'Upgrading Kubernetes',
  'start-machine': 'Starting a machine',
  'stop-machine': 'Stopping a machine',
  'restart-machine': 'Restarting a machine',
  'recreate-machine': 'Recreating a worker',
  'failure-drill': 'Running a failure drill',
} as const;

/** The lab's status in words: what runs, where it failed, what resume would do. */
export function labStatus(lab: LabSummary): StatusLabel {
  const operation = lab.operation;
  switch (lab.status) {
    case 'running':
      return { label: `${operationWords[operation?.kind ?? 'provision']}…`, tone: 'busy', icon: 'clock' };
    case 'ready':
      return { label: 'Ready', tone: 'ok', icon: 'check' };
    case 'failed': {
      const step = operation?.steps.find((candidate) => candidate.status === 'failed');
      return { label: step ? `Failed at: ${step.title}` : 'Failed', tone: 'bad', icon: 'alert' };
    }
    case 'cancelled':
      return { label: 'Cancelled', tone: 'warn', icon: 'pause' };
    case 'interrupted':
      return { label: 'Interrupted (the app stopped)', tone: 'warn', icon: 'pause' };
  }
}

export function stepStatusLabel(status: StepStatus): StatusLabel {
  switch (status) {
    case 'pending':
      return { label: 'Waiting', tone: 'neutral', icon: 'circle' };
    case 'running':
      return { label: 'Running', tone: 'busy', icon: 'clock' };
    case 'done':
      return { label: 'Done', tone: 'ok', icon: 'check' };
    case 'skipped':
      return { label: 'Skipped', tone: 'neutral', icon: 'skip' };
    case 'failed':
      return { label: 'Failed', tone: 'bad', icon: 'alert' };
    case 'cancelled':
      return { label: 'Cancelled', tone: 'warn', icon: 'pause' };
  }
}

/** A resumable lab: the last operation stopped before it finished. */
export function canResume(lab: LabSummary): boolean {
  return (lab.status === 'failed' || lab.status === 'cancelled' || lab.status === 'interrupted') && lab.operation !== undefined;
}

/** "850 ms", "42 s", "3 min 5 s", "1 h 2 min". */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  const seconds = Math.round(value / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

function parse(iso: string | undefined): number | undefined {
  const value = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(value) ? undefined : value;
}

/** How long a step has run (until it finished, or until `now` while it runs). */
export function stepElapsedMs(step: LabStep, now: number): number | undefined {
  const started = parse(step.startedAt);
  if (started === undefined) return undefined;
  return Math.max(0, (parse(step.finishedAt) ?? now) - started);
}

export interface OperationTimes {
  elapsedMs: number;
  /** undefined once the operation stopped. */
  remainingMs: number | undefined;
  /** A running operation past its estimate. */
  overdue: boolean;
}

/** The operation's elapsed and remaining time as of `now`, carried forward from the lab's last change while it runs. */
export function operationTimes(lab: LabSummary, now: number): OperationTimes | undefined {
  const operation = lab.operation;
  if (operation === undefined) return undefined;
  if (lab.status !== 'running') return { elapsedMs: operation.elapsedMs, remainingMs: undefined, overdue: false };
  const since = Math.max(0, now - (parse(lab.updatedAt) ?? now));
  const remaining = operation.remainingMs - since;
  return { elapsedMs: operation.elapsedMs + since, remainingMs: Math.max(0, remaining), overdue: remaining < 0 };
}

/** 0..1 for the overall bar: the operation's own figure; a ready lab with nothing running is full. */
export function overallProgress(lab: LabSummary): number {
  if (lab.operation === undefined) return lab.status === 'ready' ? 1 : 0;
  if (lab.status === 'ready' && lab.operation.finishedAt !== undefined) return 1;
  return Math.min(1, Math.max(0, lab.operation.progress));
}

/** "4 of 11 steps done" (skipped steps count as done: there was nothing to do). */
export function stepCounts(operation: LabOperation): { finished: number; total: number; running: LabStep[] } {
  const finished = operation.steps.filter((step) => step.status === 'done' || step.status === 'skipped').length;
  return { finished, total: operation.steps.length, running: operation.steps.filter((step) => step.status === 'running') };
}

const roleRank: Record<LabMachine['role'], number> = { 'control-plane': 0, etcd: 1, 'linux-worker': 2, 'windows-worker': 3 };

/** Machines by role (control planes, etcd, Linux, Windows), then by their number (lab1-linux2 before lab1-linux10). */
export function sortMachines(machines: readonly LabMachine[]): LabMachine[] {
  const number = (name: string) => Number(/(\d+)$/.exec(name)?.[1] ?? 0);
  return [...machines].sort((a, b) => roleRank[a.role] - roleRank[b.role] || number(a.name) - number(b.name));
}

export interface NodeCounts {
  controlPlanes: number;
  etcd: number;
  linuxWorkers: number;
  windowsWorkers: number;
  /** Machines that are members of the cluster. */
  joined: number;
  total: number;
}

export function nodeCounts(machines: readonly LabMachine[]): NodeCounts {
  const count = (role: LabMachine['role']) => machines.filter((machine) => machine.role === role).length;
  return {
    controlPlanes: count('control-plane'),
    etcd: count('etcd'),
    linuxWorkers: count('linux-worker'),
    windowsWorkers: count('windows-worker'),
    joined: machines.filter((machine) => machine.state === 'joined').length,
    total: machines.length,
  };
}

/** "1 control plane · 2 Linux workers · 1 Windows worker" */
export function describeNodeCounts(counts: NodeCounts): string {
  const part = (count: number, singular: string) => `${count} ${singular}${count === 1 ? '' : 's'}`;
  return [
    part(counts.controlPlanes, 'control plane'),
    ...(counts.etcd > 0 ? [part(counts.etcd, 'etcd VM')] : []),
    part(counts.linuxWorkers, 'Linux worker'),
    part(counts.windowsWorkers, 'Windows worker'),
  ].join(' · ');
}

export const driverLabels = { libvirt: 'libvirt (KVM)', hyperv: 'Hyper-V', existing: 'Existing machines (SSH)' } as const;
export const distributionLabels = { kubeadm: 'kubeadm', k3s: 'k3s' } as const;
export const roleLabels = {
  'control-plane': 'Control plane',
  etcd: 'etcd',
  'linux-worker': 'Linux worker',
  'windows-worker': 'Windows worker',
} as const;
export const machineStateLabels = { absent: 'Not created', created: 'VM created', joined: 'Joined' } as const;

/** What a step announces to a screen reader: only changes of status, not every percent. */
export function progressAnnouncement(lab: LabSummary): string {
  const operation = lab.operation;
  if (operation === undefined) return '';
  const status = labStatus(lab).label;
  if (lab.status !== 'running') return `${lab.name}: ${status}`;
  const { finished, total, running } = stepCounts(operation);
  const now = running.map((step) => step.title).join(', ');
  return `${lab.name}: ${status} ${finished} of ${total} steps done${now ? `; now: ${now}` : ''}.`;
}
