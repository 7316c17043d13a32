import { describe, expect, it } from 'vitest';
import { DEFAULT_SELF_HEALING } from '../../../shared/contract';
import { healingEventWords, healingSummary } from './self-healing-view';

describe('self-healing words', () => {
  it('says whether it is off, on with its limits, or stopped by the guard', () => {
    expect(healingSummary(undefined)).toBe('Off: NotReady workers stay as they are.');
    const on = { settings: { ...DEFAULT_SELF_HEALING, enabled: true }, events: [] };
    expect(healingSummary(on)).toBe(
      'On: a worker NotReady for 300 s is recreated; at most 1 machine(s) and 34% of the workers within 30 min. Control planes and cordoned workers are left alone.',
    );
    expect(healingSummary({ ...on, tripped: { at: '2026-12-02T12:00:00Z', reason: 'x' } })).toBe('Stopped by the meltdown guard.');
  });

  it('names each event', () => {
    expect(healingEventWords({ at: '', kind: 'recreate', machine: 'lab1-linux2', reason: '' })).toBe('Recreate lab1-linux2');
    expect(healingEventWords({ at: '', kind: 'tripped', reason: '' })).toBe('Guard tripped');
  });
});
