import { describe, expect, it, vi } from 'vitest';
import type { LogLine } from '../../../shared/contract/pods';
import { LINES_INTERVAL_MS, LogSession, podColour } from './log-session';
import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('drops the oldest entries past its capacity and keeps global indexes', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 0; i < 5; i += 1) ring.push(i);
    expect(ring.length).toBe(3);
    expect(ring.firstIndex).toBe(2);
    expect(ring.endIndex).toBe(5);
    expect(ring.slice(0, 3)).toEqual([2, 3, 4]);
    expect(ring.byIndex(1)).toBeUndefined();
    expect(ring.byIndex(4)).toBe(4);
    expect(ring.at(3)).toBeUndefined();
    ring.clear();
    expect(ring.length).toBe(0);
    expect(ring.firstIndex).toBe(5);
    ring.push(9);
    expect(ring.slice(0, 10)).toEqual([9]);
  });

  it('holds 100,000 lines and stays at that size after 250,000', () => {
    const ring = new RingBuffer<number>(100_000);
    for (let i = 0; i < 250_000; i += 1) ring.push(i);
    expect(ring.length).toBe(100_000);
    expect(ring.at(0)).toBe(150_000);
    expect(ring.at(99_999)).toBe(249_999);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(/positive integer/);
  });
});

const now = (callback: () => void) => callback();
const lines = (pod: string, texts: string[]): LogLine[] => texts.map((text) => ({ pod, container: 'app', text }));

describe('LogSession', () => {
  it('gives each pod its own colour slot, in the order pods appear, and notices none', () => {
    const session = new LogSession(10, now);
    session.append([...lines('web-a', ['1']), ...lines('web-b', ['2']), ...lines('web-a', ['3'])]);
    session.append([{ pod: 'web-b', container: 'app', text: 'gone', notice: true }]);
    expect(session.buffer.slice(0, 4).map((entry) => entry.colour)).toEqual([0, 1, 0, -1]);
    expect(session.pods()).toEqual([
      { pod: 'web-a', container: 'app', colour: 0 },
      { pod: 'web-b', container: 'app', colour: 1 },
    ]);
    expect(podColour(0)).not.toBe(podColour(1));
  });

  it('finds matches case-insensitively without ANSI codes, steps through them and wraps', () => {
    const session = new LogSession(10, now);
    session.append(lines('p', ['GET /a 200', '\x1b[31mERROR\x1b[0m disk', 'ok', 'error again']));
    session.setQuery('error');
    expect(session.matches).toEqual([1, 3]);
    expect(session.currentMatch).toBe(1);
    expect(session.step(1)).toBe(1);
    expect(session.step(-1)).toBe(3);
    // A colour code between the letters does not hide a match.
    session.setQuery('31m');
    expect(session.matches).toEqual([]);
  });

  it('adds matches of new lines and drops matches of lines that fell out of the ring', () => {
    const session = new LogSession(3, now);
    session.setQuery('x');
    session.append(lines('p', ['x1', 'a', 'x2']));
    expect(session.matches).toEqual([0, 2]);
    session.append(lines('p', ['b', 'x3']));
    expect(session.buffer.firstIndex).toBe(2);
    expect(session.matches).toEqual([2, 4]);
  });

  it('holds lines back while paused and shows them, in order, on resume', () => {
    const session = new LogSession(10, now);
    session.append(lines('p', ['1']));
    session.setPaused(true);
    session.append(lines('p', ['2', '3']));
    expect(session.buffer.length).toBe(1);
    expect(session.heldCount).toBe(2);
    session.setPaused(false);
    expect(session.buffer.slice(0, 3).map((entry) => entry.text)).toEqual(['1', '2', '3']);
    expect(session.heldCount).toBe(0);
  });

  it('tells listeners once per frame however many batches arrive', () => {
    const frames: (() => void)[] = [];
    const session = new LogSession(10, (callback) => frames.push(callback));
    let heard = 0;
    session.subscribe(() => (heard += 1));
    session.append(lines('p', ['1']));
    session.append(lines('p', ['2']));
    expect(frames).toHaveLength(1);
    frames[0]!();
    expect(heard).toBe(1);
  });

  it('shows new lines at most every 100 ms, but what the user does at once', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const session = new LogSession(10, (callback) => callback());
      let heard = 0;
      session.subscribe(() => (heard += 1));
      session.append(lines('p', ['1']));
      expect(heard).toBe(1);
      session.append(lines('p', ['2']));
      session.append(lines('p', ['3']));
      expect(heard).toBe(1);
      vi.advanceTimersByTime(LINES_INTERVAL_MS);
      expect(heard).toBe(2);
      session.setPaused(true);
      expect(heard).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('downloads plain text with timestamps and pod prefixes when asked', () => {
    const session = new LogSession(10, now);
    session.append([
      { pod: 'a', container: 'app', text: '\x1b[32mready\x1b[0m', timestamp: '2024-01-01T00:00:00Z' },
      { pod: 'a', container: 'app', text: 'stream ended', notice: true },
    ]);
    expect(session.toText({ timestamps: true, podPrefix: true })).toBe(
      '2024-01-01T00:00:00Z [a/app] ready\n[a/app] (nestlab) stream ended\n',
    );
    expect(session.toText({ timestamps: false, podPrefix: false })).toBe('ready\n(nestlab) stream ended\n');
  });
});
