/**
 * How many leading bytes of `bytes` are whole UTF-8 characters. A read from a pty or a channel
 * can end inside a multi-byte character; decoding that piece on its own would print U+FFFD and
 * lose the character, so the incomplete tail (at most 3 bytes) waits for the next read.
 * Invalid sequences are not held back: they decode to U+FFFD as they would anyway.
 */
export function completeUtf8Length(bytes: Uint8Array): number {
  const length = bytes.length;
  // Look back over at most 3 continuation bytes for the lead byte of the last character.
  for (let back = 1; back <= Math.min(4, length); back++) {
    const byte = bytes[length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for its lead
    const needed = byte >= 0xf8 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? length - back : length;
  }
  return length;
}
