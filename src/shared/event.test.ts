import { describe, expect, it, vi } from 'vitest';
import { Emitter } from './event';

describe('Emitter', () => {
  it('calls listeners until they dispose, even when one disposes during a fire', () => {
    const emitter = new Emitter<number>();
    const seen: string[] = [];
    const first = emitter.event((n) => {
      seen.push(`a${n}`);
      first.dispose();
    });
    emitter.event((n) => seen.push(`b${n}`));
    emitter.fire(1);
    emitter.fire(2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
    expect(emitter.listenerCount).toBe(1);
  });

  it('keeps calling the other listeners when one throws', () => {
    const emitter = new Emitter<number>();
    const report = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const seen: number[] = [];
    emitter.event(() => {
      throw new Error('listener bug');
    });
    emitter.event((n) => seen.push(n));
    emitter.fire(1);
    expect(seen).toEqual([1]);
    expect(report).toHaveBeenCalledTimes(1);
    report.mockRestore();
  });
});
