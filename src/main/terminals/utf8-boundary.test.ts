import { describe, expect, it } from 'vitest';
import { completeUtf8Length } from './utf8-boundary';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('completeUtf8Length', () => {
  it('keeps ASCII and whole characters whole', () => {
    expect(completeUtf8Length(bytes(''))).toBe(0);
    expect(completeUtf8Length(bytes('abc'))).toBe(3);
    expect(completeUtf8Length(bytes('aé€😀'))).toBe(bytes('aé€😀').length);
  });

  it('holds back every proper prefix of a multi-byte character', () => {
    for (const character of ['é', '€', '😀']) {
      const encoded = bytes(`x${character}`);
      for (let cut = 2; cut < encoded.length; cut++) {
        expect(completeUtf8Length(encoded.subarray(0, cut)), `${character} cut at ${cut}`).toBe(1);
      }
    }
  });

  it('does not hold back invalid bytes (they cannot be completed)', () => {
    expect(completeUtf8Length(Buffer.from([0x61, 0x80, 0x80, 0x80, 0x80]))).toBe(5);
    expect(completeUtf8Length(Buffer.from([0x61, 0xff]))).toBe(2);
  });

  it('splits any text at any point without losing or mangling a character', () => {
    const text = 'kubectl ✓ 节点 😀 naïve\r\n'.repeat(20);
    const encoded = bytes(text);
    for (let cut = 0; cut <= encoded.length; cut += 7) {
      const first = encoded.subarray(0, cut);
      const complete = completeUtf8Length(first);
      const decoded = new TextDecoder().decode(first.subarray(0, complete)) + new TextDecoder().decode(encoded.subarray(complete));
      expect(decoded).toBe(text);
    }
  });
});
