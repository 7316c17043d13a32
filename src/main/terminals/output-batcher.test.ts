import { afterEach, describe, expect, it, vi } from 'vitest';
import { OutputBatcher, type OutputBatcherOptions } from './output-batcher';

afterEach(() => {
  vi.useRealTimers();
});

/** A batcher whose batches are collected as text (they are UTF-8 bytes). */
function batcher(options: Partial<OutputBatcherOptions> = {}) {
  const batches: string[] = [];
  const raw: Uint8Array[] = [];
  const decoder = new TextDecoder();
  const instance = new OutputBatcher({
    delayMs: 5,
    maxBytes: 1024,
    emit: (data) => {
      raw.push(data);
      batches.push(decoder.decode(data));
    },
    ...options,
  });
  return { batcher: instance, batches, raw };
}

describe('OutputBatcher', () => {
  it('joins reads that arrive within the delay into one batch', () => {
    vi.useFakeTimers();
    const { batcher: output, batches } = batcher();
    output.push(Buffer.from('one '));
    output.push(Buffer.from('two '));
    vi.advanceTimersByTime(4);
    expect(batches).toEqual([]);
    output.push(Buffer.from('three'));
    vi.advanceTimersByTime(1);
    expect(batches).toEqual(['one two three']);
  });

  it('emits at once when a batch reaches maxBytes', () => {
    vi.useFakeTimers();
    const { batcher: output, batches } = batcher({ maxBytes: 8 });
    output.push(Buffer.from('12345678'));
    expect(batches).toEqual(['12345678']);
  });

  it('keeps a character split across reads for the next batch', () => {
    vi.useFakeTimers();
    const { batcher: output, batches } = batcher();
    const euro = Buffer.from('a€', 'utf8');
    output.push(euro.subarray(0, 2));
    vi.advanceTimersByTime(5);
    expect(batches).toEqual(['a']);
    output.push(euro.subarray(2));
    vi.advanceTimersByTime(5);
    expect(batches).toEqual(['a', '€']);
  });

  it('emits bytes in buffers of their own, not views into the reads', () => {
    vi.useFakeTimers();
    const { batcher: output, raw } = batcher();
    const read = Buffer.from('xxhelloxx');
    output.push(read.subarray(2, 7));
    vi.advanceTimersByTime(5);
    expect(raw[0]!.byteOffset).toBe(0);
    expect(raw[0]!.buffer.byteLength).toBe(5);
    read.fill(0);
    expect(new TextDecoder().decode(raw[0])).toBe('hello');
  });

  it('waits busyDelayMs instead of delayMs while the client is still drawing', () => {
    vi.useFakeTimers();
    let busy = true;
    const { batcher: output, batches } = batcher({ busyDelayMs: 30, clientBusy: () => busy });
    output.push(Buffer.from('streaming '));
    vi.advanceTimersByTime(5);
    expect(batches).toEqual([]);
    output.push(Buffer.from('output'));
    vi.advanceTimersByTime(25);
    expect(batches).toEqual(['streaming output']);
    busy = false;
    output.push(Buffer.from('echo'));
    vi.advanceTimersByTime(5);
    expect(batches).toEqual(['streaming output', 'echo']);
  });

  it('end() emits the rest, dispose() drops it', () => {
    const { batcher: output, batches } = batcher();
    output.push(Buffer.from([0x62, 0xe2, 0x82]));
    output.end();
    expect(batches).toEqual(['b', '\ufffd']);
    output.push(Buffer.from('lost'));
    output.dispose();
    expect(batches).toHaveLength(2);
  });
});
