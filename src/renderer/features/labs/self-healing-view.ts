/** What the Self-healing section says: the state in one sentence, and each event's headline. */
import type { SelfHealingEvent, SelfHealingState } from '../../../shared/contract';

export function healingSummary(state: SelfHealingState | undefined): string {
  if (state === undefined || !state.settings.enabled) return 'Off: NotReady workers stay as they are.';
  if (state.tripped !== undefined) return 'Stopped by the meltdown guard.';
  const { graceSeconds, maxMachines, maxFraction, windowMinutes } = state.settings;
  return `On: a worker NotReady for ${graceSeconds} s is recreated; at most ${maxMachines} machine(s) and ${Math.round(maxFraction * 100)}% of the workers within ${windowMinutes} min. Control planes and cordoned workers are left alone.`;
}

export function healingEventWords(event: SelfHealingEvent): string {
  switch (event.kind) {
    case 'recreate':
      return `Recreate ${event.machine ?? ''}`;
    case 'tripped':
      return 'Guard tripped';
    case 'armed':
      return 'Turned on';
    case 'disarmed':
      return 'Turned off';
  }
}
