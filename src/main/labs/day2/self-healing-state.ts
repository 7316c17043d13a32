/**
 * A lab's self-healing state as the Labs view changes it: settings turned on (arming the guard
 * again after a trip) or off, and the events kept with the lab, newest last.
 */
import type { SelfHealingEvent, SelfHealingSettings, SelfHealingState } from '../../../shared/contract/labs';
import { SELF_HEALING_EVENTS_KEPT } from './self-healing';

/** Keeps the event with the others (the newest SELF_HEALING_EVENTS_KEPT). */
export function keepHealingEvent(state: SelfHealingState, event: SelfHealingEvent): void {
  state.events = [...state.events, event].slice(-SELF_HEALING_EVENTS_KEPT);
}

/** The lab log's line for an event, with its reason. */
export function healingLogText(event: SelfHealingEvent): string {
  const what = { recreate: `recreate ${event.machine ?? ''}`, tripped: 'the meltdown guard tripped', armed: 'on', disarmed: 'off' }[
    event.kind
  ];
  return `Self-healing: ${what}. ${event.reason}`;
}

/**
 * The state with new settings (a new one for a lab that had none). Turning it on, or off while
 * it was on or tripped, clears the trip and keeps an 'armed' or 'disarmed' event, which is
 * answered; changing the limits of a running one keeps none.
 */
export function withHealingSettings(
  current: SelfHealingState | undefined,
  settings: SelfHealingSettings,
  at: string,
): { state: SelfHealingState; event?: SelfHealingEvent } {
  const state = current ?? { settings, events: [] };
  const wasOn = current !== undefined && state.settings.enabled && state.tripped === undefined;
  state.settings = settings;
  const limits = `grace ${settings.graceSeconds} s; at most ${settings.maxMachines} machine(s) and ${Math.round(settings.maxFraction * 100)}% of the workers within ${settings.windowMinutes} min`;
  let event: SelfHealingEvent | undefined;
  if (settings.enabled && !wasOn) event = { at, kind: 'armed', reason: `Turned on: ${limits}.` };
  else if (!settings.enabled && (wasOn || state.tripped !== undefined)) event = { at, kind: 'disarmed', reason: 'Turned off.' };
  if (event === undefined) return { state };
  delete state.tripped;
  keepHealingEvent(state, event);
  return { state, event };
}
