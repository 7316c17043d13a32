import { describe, expect, it } from 'vitest';
import { ownEntry } from './clusters-slice';

describe('records keyed by context names', () => {
  it('find only their own entries, also for names of Object methods', () => {
    const nodes: Record<string, string> = { lab: 'loaded' };
    expect(ownEntry(nodes, 'lab')).toBe('loaded');
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(ownEntry(nodes, name)).toBeUndefined();
    const own = Object.defineProperty({}, '__proto__', { value: 'own', enumerable: true }) as Record<string, string>;
    expect(ownEntry(own, '__proto__')).toBe('own');
  });
});
