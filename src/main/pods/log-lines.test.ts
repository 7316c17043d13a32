import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../shared/contract/pods';
import { compareTimestamps } from '../kube/timestamps';
import { LineSplitter, MAX_LINE_CHARS, mergeByTimestamp, splitTimestamp } from './log-lines';

describe('LineSplitter', () => {
  it('keeps a line split across reads, and a UTF-8 character split across them, until it is whole', () => {
    const splitter = new LineSplitter();
    const bytes = Buffer.from('first\nsecond é line\r\nthi', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1; // inside "é"
    expect(splitter.push(bytes.subarray(0, cut))).toEqual(['first']);
    expect(splitter.push(bytes.subarray(cut))).toEqual(['second é line']);
    expect(splitter.push(Buffer.from('rd\n'))).toEqual(['third']);
    expect(splitter.push(Buffer.from('no newline'))).toEqual([]);
    expect(splitter.end()).toEqual(['no newline']);
    expect(splitter.end()).toEqual([]);
  });

  it('cuts a runaway line instead of holding the stream', () => {
    const splitter = new LineSplitter();
    const lines = splitter.push(Buffer.from('x'.repeat(MAX_LINE_CHARS + 10)));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toHaveLength(MAX_LINE_CHARS + 1);
    expect(lines[0]!.endsWith('…')).toBe(true);
  });
});

describe('splitTimestamp', () => {
  it('splits the kubelet prefix off and leaves other lines alone', () => {
    expect(splitTimestamp('2024-01-02T03:04:05.123456789Z hello world')).toEqual({
      timestamp: '2024-01-02T03:04:05.123456789Z',
      text: 'hello world',
    });
    expect(splitTimestamp('2024-01-02T03:04:05Z ')).toEqual({ timestamp: '2024-01-02T03:04:05Z', text: '' });
    expect(splitTimestamp('hello 2024-01-02T03:04:05Z')).toEqual({ text: 'hello 2024-01-02T03:04:05Z' });
  });
});

describe('compareTimestamps', () => {
  it('orders by time, not by string, when the kubelet drops trailing zeros', () => {
    expect(compareTimestamps('2024-01-02T03:04:05Z', '2024-01-02T03:04:05.1Z')).toBeLessThan(0);
    expect(compareTimestamps('2024-01-02T03:04:05.5Z', '2024-01-02T03:04:05.123Z')).toBeGreaterThan(0);
    expect(compareTimestamps('2024-01-02T03:04:05.50Z', '2024-01-02T03:04:05.5Z')).toBe(0);
    expect(compareTimestamps('2024-01-02T03:04:06Z', '2024-01-02T03:04:05.999Z')).toBeGreaterThan(0);
  });
});

const line = (pod: string, text: string, timestamp?: string): LogLine => ({
  pod,
  container: 'app',
  text,
  ...(timestamp ? { timestamp } : {}),
});

describe('mergeByTimestamp', () => {
  it('merges three pods into one time order and keeps each pod in its own order', () => {
    const a = [line('a', 'a1', '2024-01-01T00:00:01Z'), line('a', 'a2', '2024-01-01T00:00:04Z')];
    const b = [line('b', 'b1', '2024-01-01T00:00:02Z'), line('b', 'b2', '2024-01-01T00:00:03Z')];
    const c = [line('c', 'c1', '2024-01-01T00:00:00.5Z')];
    expect(mergeByTimestamp([a, b, c]).map((l) => l.text)).toEqual(['c1', 'a1', 'b1', 'b2', 'a2']);
  });

  it('keeps a line without a timestamp right after the line before it in its own container', () => {
    const a = [line('a', 'a1', '2024-01-01T00:00:01Z'), line('a', 'a1 continued'), line('a', 'a2', '2024-01-01T00:00:05Z')];
    const b = [line('b', 'b1', '2024-01-01T00:00:03Z')];
    expect(mergeByTimestamp([a, b]).map((l) => l.text)).toEqual(['a1', 'a1 continued', 'b1', 'a2']);
  });

  it('sends lines with no time known at once, and passes one source through as it is', () => {
    const a = [line('a', 'untimed')];
    const b = [line('b', 'b1', '2024-01-01T00:00:03Z')];
    expect(mergeByTimestamp([b, a]).map((l) => l.text)).toEqual(['untimed', 'b1']);
    expect(mergeByTimestamp([[], b])).toEqual(b);
    expect(mergeByTimestamp([])).toEqual([]);
  });
});
