import type { IncomingMessage, ServerResponse } from 'node:http';
import { ContainerLog, kubeletTimestamp } from './container-log.js';
import type { LogEntry } from './container-log.js';
import { containerKey, matches } from './kubelet-pods.js';
import type { ContainerFilter, ContainerRef } from './kubelet-pods.js';

/** Log shape of every simulated container (see {@link ContainerLog}). */
export interface LogSettings {
  /** Default 1 line per second; a benchmark can ask for 10,000. */
  linesPerSecond: number;
  /** Default 120 lines over the last 600 s before the log was first read. */
  historyLines: number;
  historySeconds: number;
  /** Default 20,000 lines kept per container instance. */
  maxLines: number;
}

export const DEFAULT_LOG_SETTINGS: LogSettings = { linesPerSecond: 1, historyLines: 120, historySeconds: 600, maxLines: 20_000 };

interface Instances {
  current: ContainerLog;
  previous?: ContainerLog;
  restarts: number;
}

interface Follower {
  ref: ContainerRef;
  log: ContainerLog;
  cursor: number;
  res: ServerResponse;
  timestamps: boolean;
  bytesLeft: number;
  blocked: boolean;
}

/** Query of GET /containerLogs/{namespace}/{pod}/{container}, as kube-apiserver sends it. */
interface LogQuery {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  /** Epoch milliseconds: sinceTime, or now minus sinceSeconds. */
  since?: number;
  limitBytes?: number;
}

/** Followed logs are written out on this tick (40 per second): 250 lines a tick at 10,000 lines/s. */
const TICK_MS = 25;

/**
 * Container logs of the simulated kubelets: one {@link ContainerLog} per container instance,
 * served like kubelet's /containerLogs endpoint (follow, tailLines, sinceSeconds, sinceTime,
 * timestamps, previous, limitBytes), with followers fed on a steady tick until they go away.
 */
export class ContainerLogs {
  private readonly logs = new Map<string, Instances>();
  private readonly followers = new Set<Follower>();
  private readonly rates: { filter: ContainerFilter | undefined; linesPerSecond: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly settings: LogSettings) {}

  /** Sets the rate of matching containers, now and for logs created later. */
  setRate(linesPerSecond: number, filter?: ContainerFilter): void {
    if (!(linesPerSecond >= 0) || !Number.isFinite(linesPerSecond)) {
      throw new Error(`linesPerSecond must be a number >= 0, got ${String(linesPerSecond)}`);
    }
    this.rates.push({ filter, linesPerSecond });
    for (const [key, instances] of this.logs) {
      if (matches(filter, refOfKey(key))) instances.current.setRate(linesPerSecond);
    }
  }

  /**
   * Simulates a container restart: the current log becomes the previous instance's (what
   * `kubectl logs --previous` shows) and a new instance starts with a fresh log.
   */
  restart(ref: ContainerRef): void {
    const instances = this.instances(ref);
    instances.current.advance();
    instances.previous = instances.current;
    instances.restarts += 1;
    instances.current = this.newLog(ref, instances.restarts);
    this.endStreams(ref);
  }

  /** Ends matching follow streams (cleanly, or by destroying the connection). Returns how many. */
  endStreams(filter?: ContainerFilter, options: { abrupt?: boolean } = {}): number {
    let ended = 0;
    for (const follower of [...this.followers]) {
      if (!matches(filter, follower.ref)) continue;
      this.unfollow(follower);
      if (options.abrupt === true) follower.res.destroy();
      else follower.res.end();
      ended += 1;
    }
    return ended;
  }

  /** How many clients follow matching logs right now. */
  followerCount(filter?: ContainerFilter): number {
    return [...this.followers].filter((follower) => matches(filter, follower.ref)).length;
  }

  /** Serves one GET /containerLogs request for a container known to exist. */
  serve(req: IncomingMessage, res: ServerResponse, ref: ContainerRef, url: URL): void {
    const now = Date.now();
    let query: LogQuery;
    try {
      query = parseQuery(url.searchParams, now);
    } catch (error) {
      sendText(res, 400, (error as Error).message);
      return;
    }
    const instances = this.instances(ref);
    const log = query.previous ? instances.previous : instances.current;
    if (log === undefined) {
      // kubelet's words when the container never restarted.
      sendText(res, 400, `previous terminated container "${ref.container}" in pod "${ref.pod}" not found`);
      return;
    }
    const end = log.advance(now);
    const selected = log.from(log.startFor(query));
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' });
    const follower: Follower = {
      ref,
      log,
      cursor: end,
      res,
      timestamps: query.timestamps,
      bytesLeft: query.limitBytes ?? Number.POSITIVE_INFINITY,
      blocked: false,
    };
    const complete = this.write(follower, selected);
    if (!query.follow || query.previous || complete) {
      res.end();
      return;
    }
    res.flushHeaders();
    this.followers.add(follower);
    res.on('drain', () => {
      follower.blocked = false;
      this.pump(follower);
    });
    res.on('close', () => this.unfollow(follower));
    req.on('close', () => this.unfollow(follower));
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops every follower and the tick. */
  stop(): void {
    this.endStreams(undefined, { abrupt: true });
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private instances(ref: ContainerRef): Instances {
    const key = containerKey(ref);
    let instances = this.logs.get(key);
    if (instances === undefined) {
      instances = { current: this.newLog(ref, 0), restarts: 0 };
      this.logs.set(key, instances);
    }
    return instances;
  }

  private newLog(ref: ContainerRef, instance: number): ContainerLog {
    const override = this.rates.findLast((rate) => matches(rate.filter, ref));
    return new ContainerLog({
      seed: `${containerKey(ref)}#${instance}`,
      historyLines: this.settings.historyLines,
      historySeconds: this.settings.historySeconds,
      linesPerSecond: override?.linesPerSecond ?? this.settings.linesPerSecond,
      maxLines: this.settings.maxLines,
    });
  }

  private tick(): void {
    const now = Date.now();
    const advanced = new Set<ContainerLog>();
    for (const follower of this.followers) {
      if (!advanced.has(follower.log)) {
        follower.log.advance(now);
        advanced.add(follower.log);
      }
      this.pump(follower);
    }
  }

  /** Writes what the follower has not seen yet, unless its connection is still draining. */
  private pump(follower: Follower): void {
    if (follower.blocked || !this.followers.has(follower)) return;
    const entries = follower.log.from(follower.cursor);
    if (entries.length === 0) return;
    follower.cursor = (entries.at(-1) as LogEntry).index + 1;
    if (this.write(follower, entries)) {
      this.unfollow(follower);
      follower.res.end();
    }
  }

  /** Writes entries within the byte limit; true when the limit is reached (the stream must end). */
  private write(follower: Follower, entries: readonly LogEntry[]): boolean {
    if (entries.length === 0) return follower.bytesLeft <= 0;
    let text = '';
    for (const entry of entries) text += `${follower.timestamps ? `${kubeletTimestamp(entry.time)} ` : ''}${entry.text}\n`;
    let chunk = Buffer.from(text);
    if (chunk.length >= follower.bytesLeft) chunk = chunk.subarray(0, follower.bytesLeft);
    follower.bytesLeft -= chunk.length;
    if (!follower.res.write(chunk)) follower.blocked = true;
    return follower.bytesLeft <= 0;
  }

  private unfollow(follower: Follower): void {
    this.followers.delete(follower);
    if (this.followers.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

function refOfKey(key: string): ContainerRef {
  const [namespace = '', pod = '', container = ''] = key.split('/');
  return { namespace, pod, container };
}

function parseQuery(params: URLSearchParams, now: number): LogQuery {
  const flag = (name: string): boolean => {
    const value = params.get(name);
    if (value === null || value === '' || value === 'false' || value === '0') return false;
    if (value === 'true' || value === '1') return true;
    throw new Error(`invalid value for ${name}: "${value}" (true or false)`);
  };
  const count = (name: string, minimum: number): number | undefined => {
    const value = params.get(name);
    if (value === null || value === '') return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < minimum)
      throw new Error(`invalid value for ${name}: "${value}" (a whole number >= ${minimum})`);
    return parsed;
  };
  const sinceSeconds = count('sinceSeconds', 1);
  const sinceTime = params.get('sinceTime');
  let since = sinceSeconds !== undefined ? now - sinceSeconds * 1_000 : undefined;
  if (sinceTime !== null && sinceTime !== '') {
    since = Date.parse(sinceTime);
    if (Number.isNaN(since)) throw new Error(`invalid value for sinceTime: "${sinceTime}" (RFC 3339)`);
  }
  const tailLines = count('tailLines', -1);
  return {
    follow: flag('follow'),
    previous: flag('previous'),
    timestamps: flag('timestamps'),
    tailLines: tailLines === -1 ? undefined : tailLines,
    since,
    limitBytes: count('limitBytes', 1),
  };
}

/** A kubelet-style error: plain text body. */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
