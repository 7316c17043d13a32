import { describe, expect, it } from 'vitest';
import { takeToken } from './token';

function fakeWindow(hash: string) {
  const stored = new Map<string, string>();
  const replaced: string[] = [];
  return {
    location: { hash, pathname: '/', search: '' } as Location,
    history: { replaceState: (_state: unknown, _title: string, url: string) => replaced.push(url) } as unknown as History,
    storage: {
      getItem: (key: string) => stored.get(key) ?? null,
      setItem: (key: string, value: string) => void stored.set(key, value),
    } as unknown as Storage,
    replaced,
  };
}

describe('takeToken', () => {
  it('takes the token from the fragment, keeps it for the tab and clears the address bar', () => {
    const w = fakeWindow('#token=abc_DEF-123');
    expect(takeToken(w.location, w.history, w.storage)).toBe('abc_DEF-123');
    expect(w.replaced).toEqual(['/']);
    expect(w.storage.getItem('nestlab.token')).toBe('abc_DEF-123');
  });

  it('falls back to the stored token after a reload, and to nothing at all', () => {
    const w = fakeWindow('#/settings');
    expect(takeToken(w.location, w.history, w.storage)).toBeUndefined();
    w.storage.setItem('nestlab.token', 'kept');
    expect(takeToken(w.location, w.history, w.storage)).toBe('kept');
  });
});
