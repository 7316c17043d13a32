/**
 * Binary frames for the one event whose payload is bytes: terminal output. On a transport that
 * would otherwise carry JSON (the WebSocket, the in-memory test transport), a TerminalOutput
 * goes as raw UTF-8 bytes behind a small header instead of a JSON string: no escaping on the way
 * out, no parsing on the way in, and xterm takes the bytes as they are. Electron IPC needs none
 * of this (structured clone carries a Uint8Array). Callers never see frames: the transport
 * turns them back into the same event message.
 *
 * Layout (version 1), all integers big-endian:
 *   byte 0           frame kind: 1 = terminals.onDidOutput
 *   byte 1           length N of the terminal id (1..64)
 *   bytes 2..2+N     the terminal id, ASCII letters, digits, '-', '_' and '.'
 *   8 bytes          seq, a float64 holding a positive safe integer
 *   the rest         the output: UTF-8 bytes of whole characters
 */
import type { TerminalOutput } from '../contract/terminals';
import { AppError } from '../errors';
import type { ServerMessage } from './messages';

const terminalOutputKind = 1;
const maxIdLength = 64;
const idPattern = /^[A-Za-z0-9._-]+$/;
const seqBytes = 8;

/** The frame for `message` when it travels as binary (terminal output), otherwise undefined. */
export function toBinaryFrame(message: ServerMessage): Uint8Array | undefined {
  if (message.type !== 'event' || message.domain !== 'terminals' || message.event !== 'onDidOutput') return undefined;
  return encodeTerminalOutput(message.payload as TerminalOutput);
}

/** The event message a binary frame stands for. Throws INVALID_ARGUMENT naming what is wrong with it. */
export function fromBinaryFrame(frame: Uint8Array): ServerMessage {
  return { type: 'event', domain: 'terminals', event: 'onDidOutput', payload: decodeTerminalOutput(frame) };
}

export function encodeTerminalOutput(output: TerminalOutput): Uint8Array {
  const { terminalId, seq, data } = output;
  if (terminalId.length < 1 || terminalId.length > maxIdLength || !idPattern.test(terminalId)) {
    throw new AppError('INVALID_ARGUMENT', `A terminal id must be 1-${maxIdLength} letters, digits, '-', '_' or '.'.`, { terminalId });
  }
  if (!Number.isSafeInteger(seq) || seq < 1) throw new AppError('INVALID_ARGUMENT', `A terminal output seq must be a positive integer.`);
  const headerLength = 2 + terminalId.length + seqBytes;
  const frame = new Uint8Array(headerLength + data.byteLength);
  frame[0] = terminalOutputKind;
  frame[1] = terminalId.length;
  for (let index = 0; index < terminalId.length; index++) frame[2 + index] = terminalId.charCodeAt(index);
  new DataView(frame.buffer).setFloat64(2 + terminalId.length, seq);
  frame.set(data, headerLength);
  return frame;
}

/** Reads a terminal output frame; `data` is a view into `frame` (no copy). */
export function decodeTerminalOutput(frame: Uint8Array): TerminalOutput {
  const invalid = (problem: string) =>
    new AppError(
      'INVALID_ARGUMENT',
      `A binary frame from the server was refused: ${problem}. Reload the page; if it persists, the server is newer or older than this page.`,
    );
  if (frame.byteLength < 2) throw invalid(`it is ${frame.byteLength} bytes long, shorter than any header`);
  if (frame[0] !== terminalOutputKind) throw invalid(`its kind ${frame[0]} is unknown (1 is terminal output)`);
  const idLength = frame[1]!;
  if (idLength < 1 || idLength > maxIdLength) throw invalid(`its terminal id length ${idLength} is outside 1-${maxIdLength}`);
  const headerLength = 2 + idLength + seqBytes;
  if (frame.byteLength < headerLength) throw invalid(`it is ${frame.byteLength} bytes long, shorter than its ${headerLength}-byte header`);
  const terminalId = String.fromCharCode(...frame.subarray(2, 2 + idLength));
  if (!idPattern.test(terminalId)) throw invalid('its terminal id has characters other than letters, digits, -, _ and .');
  const seq = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getFloat64(2 + idLength);
  if (!Number.isSafeInteger(seq) || seq < 1) throw invalid(`its seq ${seq} is not a positive integer`);
  return { terminalId, seq, data: frame.subarray(headerLength) };
}
