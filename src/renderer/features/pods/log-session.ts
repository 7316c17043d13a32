/**
 * What a logs view holds, outside React and the store (like xterm's buffer): up to 100,000
 * lines in a ring, the lines that arrive while paused, the per-pod colours, and the search.
 * The view subscribes and reads only the rows it shows.
 */
import type { LogLine, LogSourceInfo } from '../../../shared/contract/pods';
import { stripAnsi } from './ansi';
import { RingBuffer } from './ring-buffer';

/** New lines reach the screen at most this often (10 times a second). */
export const LINES_INTERVAL_MS = 100;

/** Lines a logs view keeps; older ones fall out. */
export const LOG_CAPACITY = 100_000;

export interface LogEntry {
  /** Global line number in this session, from 0. */
  index: number;
  pod: string;
  container: string;
  /** Colour slot of its pod (merged Deployment logs); -1 for Nestlab's own notices. */
  colour: number;
  /** As received, ANSI codes included. */
  text: string;
  /** Without ANSI codes: what search and download read. Made when first needed ({@link plainText}). */
  plain?: string;
  timestamp?: string;
  notice?: boolean;
}

export type ScheduleFrame = (callback: () => void) => void;

const defaultSchedule: ScheduleFrame = (callback) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => callback());
  else setTimeout(callback, 16);
};

export class LogSession {
  readonly buffer: RingBuffer<LogEntry>;
  private held: LogEntry[] = [];
  private nextIndex = 0;
  private readonly colours = new Map<string, number>();
  private lastColour = { pod: '', container: '', colour: -1 };
  private readonly listeners = new Set<() => void>();
  private scheduled = false;
  private urgent = false;
  private lastNotified = Number.NEGATIVE_INFINITY;
  private readonly now = () => (typeof performance === 'undefined' ? Date.now() : performance.now());
  private readonly timer = (callback: () => void, ms: number) => setTimeout(() => this.schedule(callback), ms);
  /** Bumped on every change the view shows; React reads it through useSyncExternalStore. */
  version = 0;
  paused = false;
  query = '';
  /** Global indexes of lines matching `query`, oldest first. */
  matches: number[] = [];
  /** Position in `matches` of the current match, or -1. */
  currentMatch = -1;

  constructor(
    capacity = LOG_CAPACITY,
    private readonly schedule: ScheduleFrame = defaultSchedule,
  ) {
    this.buffer = new RingBuffer(capacity);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  /** Lines held back while paused. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Colour slot of a pod/container; new ones get the next slot. */
  colourOf(pod: string, container: string): number {
    // Lines come in runs from one container: skip the map for the same one again.
    if (pod === this.lastColour.pod && container === this.lastColour.container) return this.lastColour.colour;
    const key = `${pod}/${container}`;
    let colour = this.colours.get(key);
    if (colour === undefined) {
      colour = this.colours.size;
      this.colours.set(key, colour);
    }
    this.lastColour = { pod, container, colour };
    return colour;
  }

  addSources(sources: readonly LogSourceInfo[]): void {
    this.lastColour = { pod: '', container: '', colour: -1 };
    for (const source of sources) this.colours.set(`${source.pod}/${source.container}`, source.colour);
  }

  /** Distinct pods seen, for the legend. */
  pods(): { pod: string; container: string; colour: number }[] {
    return [...this.colours.entries()].map(([key, colour]) => {
      const [pod = '', container = ''] = key.split('/');
      return { pod, container, colour };
    });
  }

  append(lines: readonly LogLine[]): void {
    if (lines.length === 0) return;
    const entries = lines.map((line) => this.entry(line));
    if (this.paused) {
      this.held.push(...entries);
      if (this.held.length > this.buffer.capacity) this.held.splice(0, this.held.length - this.buffer.capacity);
    } else this.take(entries);
    this.changed(true);
  }

  /** Pausing holds new lines back (counted) so what is on screen stays still; resuming shows them. */
  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    if (!paused) {
      const held = this.held;
      this.held = [];
      this.take(held);
    }
    this.changed();
  }

  setQuery(query: string): void {
    this.query = query;
    this.matches = [];
    if (query !== '') {
      const needle = query.toLowerCase();
      for (let position = 0; position < this.buffer.length; position += 1) {
        const entry = this.buffer.at(position)!;
        if (plainText(entry).toLowerCase().includes(needle)) this.matches.push(entry.index);
      }
    }
    this.currentMatch = this.matches.length > 0 ? this.matches.length - 1 : -1;
    this.changed();
  }

  /** Moves to the next (+1) or previous (-1) match, wrapping; returns its line's global index. */
  step(direction: 1 | -1): number | undefined {
    if (this.matches.length === 0) return undefined;
    this.currentMatch = (this.currentMatch + direction + this.matches.length) % this.matches.length;
    this.changed();
    return this.matches[this.currentMatch];
  }

  clear(): void {
    this.buffer.clear();
    this.held = [];
    this.matches = [];
    this.currentMatch = -1;
    this.changed();
  }

  /** The log as plain text (no ANSI codes), for a download. */
  toText(options: { timestamps: boolean; podPrefix: boolean }): string {
    const lines: string[] = [];
    for (let position = 0; position < this.buffer.length; position += 1) {
      const entry = this.buffer.at(position)!;
      const parts = [];
      if (options.timestamps && entry.timestamp) parts.push(entry.timestamp);
      if (options.podPrefix) parts.push(`[${entry.pod}/${entry.container}]`);
      parts.push(entry.notice ? `(nestlab) ${plainText(entry)}` : plainText(entry));
      lines.push(parts.join(' '));
    }
    return lines.length > 0 ? `${lines.join('\n')}\n` : '';
  }

  private entry(line: LogLine): LogEntry {
    const entry: LogEntry = {
      index: this.nextIndex++,
      pod: line.pod,
      container: line.container,
      colour: line.notice ? -1 : this.colourOf(line.pod, line.container),
      text: line.text,
    };
    if (line.timestamp !== undefined) entry.timestamp = line.timestamp;
    if (line.notice) entry.notice = true;
    return entry;
  }

  private take(entries: LogEntry[]): void {
    const needle = this.query.toLowerCase();
    for (const entry of entries) {
      this.buffer.push(entry);
      if (needle !== '' && plainText(entry).toLowerCase().includes(needle)) this.matches.push(entry.index);
    }
    // Matches of lines that fell out of the ring go too.
    const first = this.buffer.firstIndex;
    if (this.matches.length > 0 && this.matches[0]! < first) {
      const keep = this.matches.findIndex((index) => index >= first);
      const dropped = keep === -1 ? this.matches.length : keep;
      this.matches = keep === -1 ? [] : this.matches.slice(keep);
      this.currentMatch = Math.max(this.matches.length > 0 ? 0 : -1, this.currentMatch - dropped);
    }
    if (this.currentMatch === -1 && this.matches.length > 0) this.currentMatch = 0;
  }

  /** Listeners hear about changes at most once a frame, however many batches arrived. */
  /**
   * Listeners hear about changes at most once a frame. New lines are shown at most every
   * {@link LINES_INTERVAL_MS}: at thousands of lines a second nobody reads each frame, and
   * drawing fewer frames keeps the page responsive; what the user does is shown at once.
   */
  private changed(linesOnly = false): void {
    this.version += 1;
    if (!linesOnly) this.urgent = true;
    if (this.scheduled) return;
    this.scheduled = true;
    const notify = () => {
      const wait = this.lastNotified + LINES_INTERVAL_MS - this.now();
      if (!this.urgent && wait > 0) {
        this.timer(notify, wait);
        return;
      }
      this.scheduled = false;
      this.urgent = false;
      this.lastNotified = this.now();
      for (const listener of [...this.listeners]) listener();
    };
    this.schedule(notify);
  }
}

/** A pod's colour in merged logs: well apart on the hue circle (golden angle), readable on both themes. */
export function podColour(slot: number): string {
  if (slot < 0) return 'var(--warning, #b58900)';
  return `hsl(${Math.round((slot * 137.508) % 360)}, 65%, 50%)`;
}

/** A line without its ANSI codes (worked out once, when search or download first needs it). */
export function plainText(entry: LogEntry): string {
  return (entry.plain ??= stripAnsi(entry.text));
}
