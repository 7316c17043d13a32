import { describe, expect, it } from 'vitest';
import type { ServerMessage } from './messages';
import { decodeTerminalOutput, encodeTerminalOutput, fromBinaryFrame, toBinaryFrame } from './binary-frame';

const id = '0b7c8a2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b';
const bytes = (text: string) => new TextEncoder().encode(text);

describe('terminal output binary frames', () => {
  it('carries id, seq and the bytes unchanged, multi-byte characters included', () => {
    const data = bytes('ls -l\r\n€ 💡 日本\r\n');
    const frame = encodeTerminalOutput({ terminalId: id, seq: 42, data });
    expect(frame.byteLength).toBe(2 + id.length + 8 + data.byteLength);
    const decoded = decodeTerminalOutput(frame);
    expect(decoded.terminalId).toBe(id);
    expect(decoded.seq).toBe(42);
    expect(new TextDecoder().decode(decoded.data)).toBe('ls -l\r\n€ 💡 日本\r\n');
  });

  it('reads a frame that sits inside a larger buffer (a socket read) and returns a view, not a copy', () => {
    const frame = encodeTerminalOutput({ terminalId: 't1', seq: 2 ** 40, data: bytes('x') });
    const larger = new Uint8Array(frame.byteLength + 10);
    larger.set(frame, 5);
    const decoded = decodeTerminalOutput(larger.subarray(5, 5 + frame.byteLength));
    expect(decoded).toMatchObject({ terminalId: 't1', seq: 2 ** 40 });
    expect(decoded.data.buffer).toBe(larger.buffer);
  });

  it('turns only terminal output events into frames, and frames back into the same event', () => {
    const output: ServerMessage = {
      type: 'event',
      domain: 'terminals',
      event: 'onDidOutput',
      payload: { terminalId: id, seq: 1, data: bytes('hi') },
    };
    const frame = toBinaryFrame(output)!;
    expect(fromBinaryFrame(frame)).toEqual(output);
    expect(
      toBinaryFrame({ type: 'event', domain: 'terminals', event: 'onDidExit', payload: { terminalId: id, exit: { exitCode: 0 } } }),
    ).toBeUndefined();
    expect(toBinaryFrame({ type: 'result', id: 1, ok: true, value: 'x' })).toBeUndefined();
  });

  it.each([
    ['an empty frame', new Uint8Array(0), /shorter than any header/],
    ['an unknown kind', Uint8Array.of(7, 2, 0x61, 0x62, 0, 0, 0, 0, 0, 0, 0, 0), /kind 7 is unknown/],
    ['an id length of 0', Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0), /id length 0/],
    ['an id length over 64', Uint8Array.of(1, 65), /id length 65/],
    ['a header cut short', Uint8Array.of(1, 2, 0x61, 0x62, 0x3f), /shorter than its 12-byte header/],
    ['an id with other characters', frameWith({ idBytes: [0x61, 0x2f], seq: 1 }), /terminal id has characters/],
    ['a seq of 0', frameWith({ idBytes: [0x61], seq: 0 }), /seq 0 is not a positive integer/],
    ['a fractional seq', frameWith({ idBytes: [0x61], seq: 1.5 }), /seq 1.5/],
    ['a NaN seq', frameWith({ idBytes: [0x61], seq: Number.NaN }), /seq NaN/],
  ])('refuses %s with INVALID_ARGUMENT, saying what is wrong', (_label, frame, problem) => {
    let caught: unknown;
    try {
      decodeTerminalOutput(frame);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((caught as Error).message).toMatch(problem);
    expect((caught as Error).message).toMatch(/Reload the page/);
  });

  it('refuses to encode an id or seq it could not decode', () => {
    expect(() => encodeTerminalOutput({ terminalId: 'a/b', seq: 1, data: bytes('') })).toThrow(/terminal id/);
    expect(() => encodeTerminalOutput({ terminalId: 'x'.repeat(65), seq: 1, data: bytes('') })).toThrow(/terminal id/);
    expect(() => encodeTerminalOutput({ terminalId: 'a', seq: 0, data: bytes('') })).toThrow(/seq/);
  });
});

/** A frame with raw id bytes and any float64 as seq, for the refusals. */
function frameWith(options: { idBytes: number[]; seq: number }): Uint8Array {
  const frame = new Uint8Array(2 + options.idBytes.length + 8);
  frame[0] = 1;
  frame[1] = options.idBytes.length;
  frame.set(options.idBytes, 2);
  new DataView(frame.buffer).setFloat64(2 + options.idBytes.length, options.seq);
  return frame;
}
