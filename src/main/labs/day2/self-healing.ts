/**
 * Self-healing's loop: every interval, each lab whose self-healing is on (and not tripped) and
 * that runs no operation is looked at (its nodes and VMs, as the machine list shows them), the
 * guard decides (self-healing-guard.ts), and a recreation starts or the guard trips. Every
 * action and the reason for it go to the lab's log and its self-healing events.
 */
import type { LabMachine, MachineStatus, SelfHealingEvent, SelfHealingSettings } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import { decideHealing } from './self-healing-guard';

/** The events a lab keeps (the oldest go first). */
export const SELF_HEALING_EVENTS_KEPT = 50;

/** What the loop needs of the labs service. */
export interface SelfHealingLabs {
  /** Labs with self-healing on, not tripped, and no operation running. */
  candidates(): Promise<{ name: string; machines: LabMachine[]; settings: SelfHealingSettings; events: SelfHealingEvent[] }[]>;
  statuses(name: string): Promise<MachineStatus[]>;
  /** Keep the event (and the trip), and log it with its reason. */
  record(name: string, event: SelfHealingEvent, trip: boolean): Promise<void>;
  recreate(name: string, machine: string): Promise<void>;
}

export class SelfHealer {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly labs: SelfHealingLabs,
    private readonly intervalMs: number,
    private readonly onError: (lab: string, error: AppError) => void,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at every lab (a look still running makes the next one skip). */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const lab of await this.labs.candidates()) {
        try {
          await this.heal(lab);
        } catch (error) {
          this.onError(lab.name, AppError.from(error));
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async heal(lab: Awaited<ReturnType<SelfHealingLabs['candidates']>>[number]): Promise<void> {
    const now = new Date();
    const decision = decideHealing({
      now,
      settings: lab.settings,
      machines: lab.machines,
      statuses: await this.labs.statuses(lab.name),
      events: lab.events,
    });
    if (decision.kind === 'wait') return;
    const at = now.toISOString();
    if (decision.kind === 'trip') {
      await this.labs.record(lab.name, { at, kind: 'tripped', reason: decision.reason }, true);
      return;
    }
    // Kept once the recreation started: one that could not start (the lab became busy) must not
    // count against the guard's window; the next look decides again.
    await this.labs.recreate(lab.name, decision.machine);
    await this.labs.record(lab.name, { at, kind: 'recreate', machine: decision.machine, reason: decision.reason }, false);
  }
}
