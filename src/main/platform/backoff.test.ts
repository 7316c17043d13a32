import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles up to its cap and starts over after reset', () => {
    const backoff = new Backoff(250, 2_000, () => 1);
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([250, 500, 1000, 2000, 2000]);
    backoff.reset();
    expect(backoff.next()).toBe(250);
  });

  it('jitters between half and the full step', () => {
    expect(new Backoff(1_000, 10_000, () => 0).next()).toBe(500);
  });
});
