import { describe, expect, it } from 'vitest';
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
});
