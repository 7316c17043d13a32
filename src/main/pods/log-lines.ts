/**
 * Pure pieces of log streaming: bytes to lines, the kubelet's timestamp prefix, and the merge of
 * several containers' lines into one timestamp order.
 */
import type { LogLine } from '../../shared/contract/pods';
import { compareTimestamps } from '../kube/timestamps';

/** A line of the log longer than this is cut (a runaway line must not hold the stream). */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Splits a byte stream into lines. A line split across reads (or a UTF-8 character split
 * across them) waits for the rest; `end()` gives the last line without its newline.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private partial = '';

  push(chunk: Uint8Array): string[] {
    const text = this.partial + this.decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > MAX_LINE_CHARS) {
      lines.push(this.partial);
      this.partial = '';
    }
    return lines.map(trimLine);
  }

  end(): string[] {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    return rest === '' ? [] : [trimLine(rest)];
  }
}

function trimLine(line: string): string {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) /;

/** Splits the `timestamps=true` prefix off a kubelet log line: "2024-01-02T03:04:05.123456789Z text". */
export function splitTimestamp(line: string): { timestamp?: string; text: string } {
  const match = TIMESTAMP.exec(line);
  if (!match) return { text: line };
  return { timestamp: match[1]!, text: line.slice(match[0].length) };
}

/**
 * Merges the lines of several containers (each already in its own order) into one, oldest
 * first by timestamp. A line without a timestamp stays right after the line before it in its
 * own container, so nothing is reordered within a container.
 */
export function mergeByTimestamp(perSource: readonly (readonly LogLine[])[]): LogLine[] {
  const sources = perSource.filter((lines) => lines.length > 0);
  if (sources.length === 0) return [];
  if (sources.length === 1) return [...sources[0]!];
  const positions = sources.map(() => 0);
  const lastTimestamp: (string | undefined)[] = sources.map(() => undefined);
  const merged: LogLine[] = [];
  const total = sources.reduce((sum, lines) => sum + lines.length, 0);
  while (merged.length < total) {
    let best = -1;
    let bestTime: string | undefined;
    for (let index = 0; index < sources.length; index += 1) {
      const line = sources[index]![positions[index]!];
      if (line === undefined) continue;
      const time = line.timestamp ?? lastTimestamp[index];
      // A line with no time known yet goes out at once: there is nothing to order it by.
      if (time === undefined) {
        best = index;
        break;
      }
      if (best === -1 || compareTimestamps(time, bestTime!) < 0) {
        best = index;
        bestTime = time;
      }
    }
    const line = sources[best]![positions[best]!]!;
    positions[best] = positions[best]! + 1;
    if (line.timestamp !== undefined) lastTimestamp[best] = line.timestamp;
    merged.push(line);
  }
  return merged;
}
