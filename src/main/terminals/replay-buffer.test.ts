import { describe, expect, it } from 'vitest';
import { formatBytes, lostOutputNotice, ReplayBuffer } from './replay-buffer';

const batch = (seq: number, size: number) => ({ seq, data: new Uint8Array(size).fill(seq % 256) });

/** A buffer of `maxBytes` holding batches 1..count of `size` bytes each. */
function filled(maxBytes: number, count: number, size: number) {
  const buffer = new ReplayBuffer(maxBytes);
  for (let seq = 1; seq <= count; seq++) buffer.append(batch(seq, size));
  return buffer;
}

describe('ReplayBuffer', () => {
  it('keeps whole batches up to its size, dropping the oldest first', () => {
    const buffer = filled(1000, 10, 300);
    expect(buffer.lastSeq).toBe(10);
    expect(buffer.size).toBe(900);
    expect(buffer.from(0, 0).batches.map((kept) => kept.seq)).toEqual([8, 9, 10]);
  });

  it('always keeps the newest batch, even one larger than its size', () => {
    const buffer = filled(100, 2, 500);
    expect(buffer.size).toBe(500);
    expect(buffer.from(1, 500)).toEqual({ batches: [batch(2, 500)], lostBytes: 0, lostThroughSeq: 1 });
  });

  it('re-sends everything after a seq it still holds, with the same bytes and seqs, and nothing is lost', () => {
    const buffer = filled(1000, 10, 300);
    const missed = buffer.from(8, 8 * 300);
    expect(missed).toEqual({ batches: [batch(9, 300), batch(10, 300)], lostBytes: 0, lostThroughSeq: 8 });
    // The newest seq itself: nothing to send.
    expect(buffer.from(10, 3000)).toEqual({ batches: [], lostBytes: 0, lostThroughSeq: 10 });
    // Exactly the last dropped seq: still complete.
    expect(buffer.from(7, 7 * 300).lostBytes).toBe(0);
  });

  it('reports the bytes between the client and the oldest kept batch as lost when it no longer holds them', () => {
    const buffer = filled(1000, 10, 300);
    // The client has batches 1-3 (900 bytes); 4-7 (1,200 bytes) were dropped.
    expect(buffer.from(3, 900)).toEqual({
      batches: [batch(8, 300), batch(9, 300), batch(10, 300)],
      lostBytes: 1200,
      lostThroughSeq: 7,
    });
    // A page just loaded has nothing: everything dropped is lost to it.
    expect(buffer.from(0, 0).lostBytes).toBe(2100);
  });

  it('sizes a loss from the bytes the client has, whatever its batches were', () => {
    const buffer = new ReplayBuffer(64);
    const sizes = [10, 20, 30, 40, 50, 60];
    sizes.forEach((size, index) => buffer.append(batch(index + 1, size)));
    expect(buffer.from(2, 30)).toMatchObject({ lostBytes: 30 + 40 + 50, lostThroughSeq: 5 });
  });

  it('stays bounded and correct over many batches (compaction)', () => {
    const buffer = filled(4096, 50_000, 100);
    expect(buffer.size).toBeLessThanOrEqual(4096);
    const missed = buffer.from(49_900, 49_900 * 100);
    expect(missed).toMatchObject({ lostBytes: (49_960 - 49_900) * 100, lostThroughSeq: 49_960 });
    expect(missed.batches.map((kept) => kept.seq)).toEqual(Array.from({ length: 40 }, (_, index) => 49_961 + index));
  });

  it('refuses a seq out of order', () => {
    const buffer = filled(1000, 2, 10);
    expect(() => buffer.append(batch(4, 10))).toThrow(/does not follow 2/);
  });
});

describe('lost output notice', () => {
  it('says how much was lost, dim, on a line of its own', () => {
    expect(lostOutputNotice(12_595)).toBe('\r\n\x1b[2m[nestlab: 12.3 KB of output was lost while disconnected]\x1b[0m\r\n');
  });

  it('formats sizes in bytes, KB and MB', () => {
    expect([1, 512, 1024, 1536, 5 * 1024 * 1024].map(formatBytes)).toEqual(['1 byte', '512 bytes', '1.0 KB', '1.5 KB', '5.0 MB']);
  });
});
