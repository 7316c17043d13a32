import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutputBatcher } from './output-batcher';

afterEach(() => {
  vi.useRealTimers();
});

describe('OutputBatcher', () => {
  it('joins reads that arrive within the delay into one batch', () => {
    vi.useFakeTimers();
    const batches: string[] = [];
    const batcher = new OutputBatcher({ delayMs: 5, maxBytes: 1024, emit: (data) => batches.push(data) });
    batcher.push(Buffer.from('one '));
    batcher.push(Buffer.from('two '));
    vi.advanceTimersByTime(4);
    expect(batches).toEqual([]);
    batcher.push(Buffer.from('three'));
    vi.advanceTimersByTime(1);
    expect(batches).toEqual(['one two three']);
  });

  it('emits at once when a batch reaches maxBytes', () => {
    vi.useFakeTimers();
    const batches: string[] = [];
    const batcher = new OutputBatcher({ delayMs: 5, maxBytes: 8, emit: (data) => batches.push(data) });
    batcher.push(Buffer.from('12345678'));
    expect(batches).toEqual(['12345678']);
  });

  it('keeps a character split across reads for the next batch', () => {
    vi.useFakeTimers();
    const batches: string[] = [];
    const batcher = new OutputBatcher({ delayMs: 5, maxBytes: 1024, emit: (data) => batches.push(data) });
    const euro = Buffer.from('a€', 'utf8');
    batcher.push(euro.subarray(0, 2));
    vi.advanceTimersByTime(5);
    expect(batches).toEqual(['a']);
    batcher.push(euro.subarray(2));
    vi.advanceTimersByTime(5);
    expect(batches).toEqual(['a', '€']);
  });

  it('end() emits the rest, dispose() drops it', () => {
    const batches: string[] = [];
    const batcher = new OutputBatcher({ delayMs: 5, maxBytes: 1024, emit: (data) => batches.push(data) });
    batcher.push(Buffer.from([0x62, 0xe2, 0x82]));
    batcher.end();
    expect(batches).toEqual(['b', '\ufffd']);
    batcher.push(Buffer.from('lost'));
    batcher.dispose();
    expect(batches).toHaveLength(2);
  });
});
