import { describe, expect, it } from 'vitest';
import { formatAge, highlightParts } from './age';

describe('formatAge', () => {
  const now = Date.parse('2024-01-10T12:00:00Z');
  it('reads like kubectl', () => {
    expect(formatAge('2024-01-10T11:59:15Z', now)).toBe('45s');
    expect(formatAge('2024-01-10T11:48:00Z', now)).toBe('12m');
    expect(formatAge('2024-01-10T07:00:00Z', now)).toBe('5h');
    expect(formatAge('2024-01-07T12:00:00Z', now)).toBe('3d');
    expect(formatAge('2024-01-10T12:00:30Z', now)).toBe('0s');
    expect(formatAge(undefined, now)).toBe('');
    expect(formatAge('not a time', now)).toBe('');
  });
});

describe('highlightParts', () => {
  it('marks every case-insensitive match and keeps the original case', () => {
    expect(highlightParts('Error: an ERROR', 'error')).toEqual([
      { text: 'Error', match: true },
      { text: ': an ', match: false },
      { text: 'ERROR', match: true },
    ]);
    expect(highlightParts('abc', '')).toEqual([{ text: 'abc', match: false }]);
    expect(highlightParts('abc', 'x')).toEqual([{ text: 'abc', match: false }]);
  });
});
