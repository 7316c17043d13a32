/**
 * Where the reading of one container's log stands: its path for the next read (from the last
 * line it gave when resumed) and the skipping of lines a resumed read gives again.
 */
import type { LogLine, LogOptions, LogSourceInfo } from '../../shared/contract/pods';
import type { OpenStream } from '../kube/kube-api';
import { compareTimestamps } from '../kube/timestamps';
import { splitTimestamp } from './log-lines';

export const podsPath = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;

export class ContainerLog {
  /** The open read, while there is one. */
  stream?: OpenStream;
  /** Whether this container's log has ended (or could not be read). */
  done = false;
  /** The last timestamp seen and the texts seen at it: a resumed read skips them. */
  private lastTimestamp?: string;
  private readonly textsAtLast = new Set<string>();
  private linesSeen = 0;

  /** `fromStart`: read from the first line (a pod that joined while following). */
  constructor(
    readonly info: LogSourceInfo,
    private readonly fromStart: boolean,
  ) {}

  /** The log path of the next read: after the last line seen, else as `options` ask. `endedAt`: when the stream last ended. */
  path(namespace: string, options: LogOptions, endedAt: string | undefined): string {
    const query = new URLSearchParams({ container: this.info.container, timestamps: 'true' });
    if (options.follow && !options.previous) query.set('follow', 'true');
    if (options.previous) query.set('previous', 'true');
    if (this.lastTimestamp) query.set('sinceTime', this.lastTimestamp);
    else if (this.linesSeen > 0 && endedAt) query.set('sinceTime', endedAt);
    else if (!this.fromStart) {
      if (options.tailLines !== undefined) query.set('tailLines', String(options.tailLines));
      if (options.sinceSeconds !== undefined) query.set('sinceSeconds', String(options.sinceSeconds));
    }
    return `${podsPath(namespace)}/${encodeURIComponent(this.info.pod)}/log?${query.toString()}`;
  }

  /** A line as read (with the kubelet's timestamp) as shown, or undefined when a resumed read gives it again. */
  line(raw: string): LogLine | undefined {
    const { timestamp, text } = splitTimestamp(raw);
    if (timestamp !== undefined && this.lastTimestamp !== undefined) {
      const order = compareTimestamps(timestamp, this.lastTimestamp);
      // A resumed read starts at the last timestamp: what was shown already is skipped.
      if (order < 0) return undefined;
      if (order === 0 && this.textsAtLast.delete(text)) return undefined;
    }
    if (timestamp !== undefined) {
      if (timestamp !== this.lastTimestamp) this.textsAtLast.clear();
      this.lastTimestamp = timestamp;
      this.textsAtLast.add(text);
    }
    this.linesSeen += 1;
    const line: LogLine = { pod: this.info.pod, container: this.info.container, text };
    if (timestamp !== undefined) line.timestamp = timestamp;
    return line;
  }

  /** A line of Nestlab's own about this container (not from its log). */
  notice(text: string): LogLine {
    return { pod: this.info.pod, container: this.info.container, text, notice: true };
  }
}
