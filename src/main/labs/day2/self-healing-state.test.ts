import { describe, expect, it } from 'vitest';
import { DEFAULT_SELF_HEALING } from '../../../shared/contract/labs';
import type { SelfHealingEvent, SelfHealingState } from '../../../shared/contract/labs';
import { SELF_HEALING_EVENTS_KEPT } from './self-healing';
import { healingLogText, keepHealingEvent, withHealingSettings } from './self-healing-state';

const at = '2026-12-01T11:00:00.000Z';
const on = { ...DEFAULT_SELF_HEALING, enabled: true, graceSeconds: 30, maxMachines: 1, maxFraction: 0.5, windowMinutes: 10 };
const off = { ...on, enabled: false };

describe('self-healing state', () => {
  it('arms on the first turn-on and says with which limits', () => {
    const { state, event } = withHealingSettings(undefined, on, at);
    expect(event).toEqual({
      at,
      kind: 'armed',
      reason: 'Turned on: grace 30 s; at most 1 machine(s) and 50% of the workers within 10 min.',
    });
    expect(state).toEqual({ settings: on, events: [event] });
  });

  it('keeps no event for new limits of a running one, and none for off when it was off', () => {
    const running: SelfHealingState = { settings: on, events: [] };
    expect(withHealingSettings(running, { ...on, graceSeconds: 60 }, at)).toEqual({
      state: { settings: { ...on, graceSeconds: 60 }, events: [] },
    });
    expect(withHealingSettings(undefined, off, at)).toEqual({ state: { settings: off, events: [] } });
  });

  it('re-arms a tripped guard on turn-on, and clears a trip on turn-off', () => {
    const tripped = (): SelfHealingState => ({ settings: on, tripped: { at, reason: 'two workers down' }, events: [] });
    const armed = withHealingSettings(tripped(), on, at);
    expect(armed.event?.kind).toBe('armed');
    expect(armed.state.tripped).toBeUndefined();
    const disarmed = withHealingSettings(tripped(), off, at);
    expect(disarmed.event).toEqual({ at, kind: 'disarmed', reason: 'Turned off.' });
    expect(disarmed.state.tripped).toBeUndefined();
    expect(withHealingSettings({ settings: on, events: [] }, off, at).event?.kind).toBe('disarmed');
  });

  it('keeps the newest events only', () => {
    const state: SelfHealingState = { settings: on, events: [] };
    const event = (index: number): SelfHealingEvent => ({ at, kind: 'recreate', machine: `lab1-linux${index}`, reason: 'NotReady' });
    for (let index = 0; index < SELF_HEALING_EVENTS_KEPT + 5; index += 1) keepHealingEvent(state, event(index));
    expect(state.events).toHaveLength(SELF_HEALING_EVENTS_KEPT);
    expect(state.events[0]).toEqual(event(5));
  });

  it('logs each kind of event with its reason', () => {
    expect(healingLogText({ at, kind: 'recreate', machine: 'lab1-linux2', reason: 'NotReady for 31 s.' })).toBe(
      'Self-healing: recreate lab1-linux2. NotReady for 31 s.',
    );
    expect(healingLogText({ at, kind: 'tripped', reason: 'Too many.' })).toBe('Self-healing: the meltdown guard tripped. Too many.');
    expect(healingLogText({ at, kind: 'disarmed', reason: 'Turned off.' })).toBe('Self-healing: off. Turned off.');
  });
});
