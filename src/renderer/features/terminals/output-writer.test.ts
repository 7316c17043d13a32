import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutputWriter } from './output-writer';

afterEach(() => {
  vi.useRealTimers();
});

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

/** A writer on a fake clock, with a stand-in xterm whose parse finishes when the test says. */
function setup(options: { minIntervalMs?: number; maxWriteBytes?: number } = {}) {
  vi.useFakeTimers();
  const writes: string[] = [];
  const pendingParses: (() => void)[] = [];
  const acknowledged: number[] = [];
  const writer = new OutputWriter({
    write: (data, parsed) => {
      writes.push(text(data));
      pendingParses.push(parsed);
    },
    acknowledge: (count) => acknowledged.push(count),
    minIntervalMs: options.minIntervalMs ?? 50,
    maxWriteBytes: options.maxWriteBytes ?? 1024,
    now: () => Date.now(),
  });
  const parseAll = () => {
    for (const parsed of pendingParses.splice(0)) parsed();
  };
  return { writer, writes, acknowledged, parseAll };
}

describe('OutputWriter', () => {
  it('writes the first batch at once (a keystroke echo on an idle terminal)', () => {
    const { writer, writes } = setup();
    writer.push(bytes('a'));
    expect(writes).toEqual(['a']);
  });

  it('joins what arrives while xterm parses or within the interval into one write', () => {
    const { writer, writes, acknowledged, parseAll } = setup();
    writer.push(bytes('one '));
    writer.push(bytes('two '));
    writer.push(bytes('three'));
    expect(writes).toEqual(['one ']);
    parseAll();
    expect(acknowledged).toEqual([4]);
    // Parsed, but the interval since the last write has not passed yet.
    expect(writes).toEqual(['one ']);
    vi.advanceTimersByTime(49);
    expect(writes).toEqual(['one ']);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual(['one ', 'two three']);
    parseAll();
    expect(acknowledged).toEqual([4, 9]);
  });

  it('waits for xterm to finish parsing even when the interval has passed', () => {
    const { writer, writes, parseAll } = setup();
    writer.push(bytes('first'));
    writer.push(bytes('second'));
    vi.advanceTimersByTime(500);
    expect(writes).toEqual(['first']);
    parseAll();
    expect(writes).toEqual(['first', 'second']);
  });

  it('writes a full maxWriteBytes as soon as xterm is free, without waiting the interval', () => {
    const { writer, writes, parseAll } = setup({ maxWriteBytes: 4, minIntervalMs: 50 });
    writer.push(bytes('ab'));
    writer.push(bytes('cd'));
    writer.push(bytes('e'));
    expect(writes).toEqual(['ab']);
    parseAll();
    // 'cde' is less than a full write: it waits the interval to gather more.
    expect(writes).toEqual(['ab']);
    writer.push(bytes('fgh'));
    // Now a full write's worth is queued: it goes at once (whole batches, up to the limit).
    expect(writes).toEqual(['ab', 'cde']);
    parseAll();
    expect(writes).toEqual(['ab', 'cde']);
    vi.advanceTimersByTime(50);
    expect(writes).toEqual(['ab', 'cde', 'fgh']);
  });

  it('hands xterm at most maxWriteBytes per write, splitting a large batch', () => {
    const { writer, writes, parseAll } = setup({ maxWriteBytes: 4, minIntervalMs: 0 });
    writer.push(bytes('abcdefghij'));
    expect(writes).toEqual(['abcd']);
    parseAll();
    parseAll();
    expect(writes).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('joins small batches up to maxWriteBytes and leaves the next for the following write', () => {
    const { writer, writes, parseAll } = setup({ maxWriteBytes: 6, minIntervalMs: 0 });
    writer.push(bytes('x'));
    writer.push(bytes('ab'));
    writer.push(bytes('cd'));
    writer.push(bytes('efg'));
    parseAll();
    expect(writes).toEqual(['x', 'abcd']);
    parseAll();
    expect(writes).toEqual(['x', 'abcd', 'efg']);
  });

  it('passes a character split between batches through as bytes (xterm decodes across writes)', () => {
    const received: Uint8Array[] = [];
    const writer = new OutputWriter({
      write: (data, parsed) => {
        received.push(data);
        parsed();
      },
      acknowledge: () => undefined,
      minIntervalMs: 0,
      maxWriteBytes: 1024,
    });
    const euro = bytes('€');
    writer.push(euro.subarray(0, 1));
    writer.push(euro.subarray(1));
    expect(text(new Uint8Array(received.flatMap((chunk) => [...chunk])))).toBe('€');
  });

  it('on dispose drops the queue but acknowledges it and the write in flight, so the producer is not left paused', () => {
    const { writer, writes, acknowledged, parseAll } = setup();
    writer.push(bytes('drawn?'));
    writer.push(bytes('queued'));
    writer.dispose();
    parseAll();
    vi.advanceTimersByTime(100);
    writer.push(bytes('late'));
    expect(writes).toEqual(['drawn?']);
    expect(acknowledged).toEqual([12]);
  });
});
