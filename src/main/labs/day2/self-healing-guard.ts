/**
 * Self-healing's decision, pure: from the lab's machines, their nodes as the cluster shows them,
 * the settings and what self-healing already did, either nothing yet, one worker to recreate with
 * the reason, or the meltdown guard tripping with the reason. BOSH's resurrector is the model: a
 * failed VM is recreated, but when many fail at once (a host or network problem, which new VMs
 * would not fix) or too many were recreated lately, it stops and says why.
 */
import type { LabMachine, MachineStatus, SelfHealingEvent, SelfHealingSettings } from '../../../shared/contract/labs';

export type HealingDecision =
  { kind: 'wait'; reason: string } | { kind: 'recreate'; machine: string; reason: string } | { kind: 'trip'; reason: string };

export interface HealingInput {
  now: Date;
  settings: SelfHealingSettings;
  machines: readonly LabMachine[];
  statuses: readonly MachineStatus[];
  /** What self-healing did before (its recreations count against the window). */
  events: readonly SelfHealingEvent[];
}

const isWorker = (machine: LabMachine) => machine.role === 'linux-worker' || machine.role === 'windows-worker';

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** How many workers the guard lets self-healing recreate within the window: N, and at most the fraction of the pool (at least one). */
export function healingLimit(settings: SelfHealingSettings, workers: number): number {
  return Math.min(settings.maxMachines, Math.max(1, Math.floor(settings.maxFraction * workers)));
}

export function decideHealing({ now, settings, machines, statuses, events }: HealingInput): HealingDecision {
  const workers = machines.filter((machine) => isWorker(machine) && machine.state === 'joined');
  if (statuses.some((status) => status.nodeError !== undefined)) {
    return { kind: 'wait', reason: 'The API server did not answer: no node can be judged.' };
  }
  const statusOf = (name: string) => statuses.find((status) => status.name === name);
  const grace = settings.graceSeconds * 1000;
  const due = workers
    .map((machine) => {
      const node = statusOf(machine.name)?.node;
      if (node === undefined || node.ready || node.unschedulable || node.since === undefined) return undefined;
      const notReadyMs = now.getTime() - Date.parse(node.since);
      return notReadyMs >= grace ? { machine: machine.name, notReadyMs } : undefined;
    })
    .filter((entry) => entry !== undefined)
    .sort((a, b) => b.notReadyMs - a.notReadyMs);
  if (due.length === 0) return { kind: 'wait', reason: 'No worker is NotReady past the grace period.' };
  const limit = healingLimit(settings, workers.length);
  const windowStart = now.getTime() - settings.windowMinutes * 60_000;
  const recent = events.filter((event) => event.kind === 'recreate' && Date.parse(event.at) >= windowStart);
  const names = due.map((entry) => entry.machine).join(', ');
  if (due.length > limit) {
    return {
      kind: 'trip',
      reason: `${due.length} of ${workers.length} workers (${names}) are NotReady past the grace period at once, more than the guard allows (${limit}): that looks like a host or network failure, which new VMs would not fix. Self-healing stops; find the cause, then turn it on again.`,
    };
  }
  if (recent.length + 1 > limit) {
    return {
      kind: 'trip',
      reason: `${recent.length} worker(s) were recreated in the last ${settings.windowMinutes} min (${recent.map((event) => event.machine).join(', ')}), the guard's limit (${limit}): self-healing stops instead of recreating ${names} too. Find the cause, then turn it on again.`,
    };
  }
  const first = due[0]!;
  return {
    kind: 'recreate',
    machine: first.machine,
    reason: `Node ${first.machine} has been NotReady for ${duration(first.notReadyMs)}, past the grace period of ${duration(grace)}.`,
  };
}
