/**
 * One log stream: the containers of a pod or of every pod of a Deployment, read with
 * `follow` and `timestamps=true`, split into lines, merged by time, batched, and paused far
 * ahead of what the client has shown. A Deployment's pods that start later join the stream.
 * A connection the API server drops (its restart) ends the stream with a message that says so;
 * `retry` reconnects every container after the last line it gave.
 */
import type { LogBatch, LogLine, LogOptions, LogSource, LogSourceInfo, LogStreamEnd, LogStreamInfo } from '../../shared/contract/pods';
import { AppError, type SerializedError } from '../../shared/errors';
import type { KubeApi, OpenStream } from '../kube/kube-api';
import { toAppError } from '../kube/kube-errors';
import { ListWatch } from '../kube/list-watch';
import { Backoff } from '../platform/backoff';
import { FlowControl } from '../terminals/flow-control';
import { compareTimestamps, LineSplitter, mergeByTimestamp, splitTimestamp } from './log-lines';
import { selectorQuery } from './pod-summary';
import type { RawDeployment, RawList, RawPod } from './raw-kube';

export interface LogStreamDeps {
  api: KubeApi;
  /** Spacing of a Deployment's pod watches the API server refuses (403, 500). Default 250 ms doubling to 10 s. */
  watchBackoff?: Backoff;
  emitBatch: (batch: LogBatch) => void;
  emitEnd: (end: LogStreamEnd) => void;
  /** A batch goes out at most this long after its first line (default 100 ms: the view draws new lines at most 10 times a second anyway)... */
  batchDelayMs?: number;
  /** ...or as soon as it holds this many lines (default 5,000). */
  batchMaxLines?: number;
  /** Reading pauses with this many lines sent but not acknowledged (default 20,000), resumes at the low mark (5,000). */
  highWatermark?: number;
  lowWatermark?: number;
}

/** Where one container's reading stands. */
interface SourceState {
  info: LogSourceInfo;
  stream?: OpenStream;
  /** The last timestamp seen and the texts seen at it: a resumed read skips them. */
  lastTimestamp?: string;
  textsAtLast: Set<string>;
  linesSeen: number;
  done: boolean;
  /** Read from its first line (a pod that joined while following). */
  fromStart: boolean;
}

const podsPath = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;

/** What a failure says without its fix (the diagnosis keeps them apart), for a sentence of our own. */
function causeOf(error: AppError): string {
  const cause = error.details?.cause;
  return (typeof cause === 'string' ? cause : error.message).replace(/\.$/, '');
}

/** The message of a stream the API server dropped: what happened, that lines are kept, and what Retry does. */
export function connectionLostError(what: string, cause: string): AppError {
  return new AppError(
    'UNREACHABLE',
    `Lost the connection to the API server while following ${what} (${cause}); the API server may have restarted. ` +
      'The lines received so far are kept. Retry reconnects and continues after the last line.',
  );
}

export class LogStream {
  private readonly sources = new Map<string, SourceState>();
  private pending = new Map<string, LogLine[]>();
  private pendingCount = 0;
  private newSources: LogSourceInfo[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private state: LogStreamInfo['state'] = 'streaming';
  private error: SerializedError | undefined;
  /** A Deployment's pods, while following it. */
  private podWatch: ListWatch<RawPod, RawPod> | undefined;
  private readonly watchBackoff: Backoff;
  private stopped = false;
  /** Bumped by every start and retry: callbacks of an older attempt are ignored. */
  private attempt = 0;
  private endedAt: string | undefined;
  /** The Deployment's label selector, once resolved. */
  private selector = '';
  private readonly flow: FlowControl;

  constructor(
    readonly id: string,
    private readonly source: LogSource,
    private readonly options: LogOptions,
    private readonly deps: LogStreamDeps,
  ) {
    this.watchBackoff = deps.watchBackoff ?? new Backoff(250, 10_000);
    this.flow = new FlowControl({
      highWatermark: deps.highWatermark ?? 20_000,
      lowWatermark: deps.lowWatermark ?? 5_000,
      pause: () => this.forEachStream((stream) => stream.response.pause()),
      resume: () => this.forEachStream((stream) => stream.response.resume()),
    });
  }

  info(): LogStreamInfo {
    const info: LogStreamInfo = {
      streamId: this.id,
      source: this.source,
      options: this.options,
      sources: [...this.sources.values()].map((state) => state.info),
      state: this.state,
    };
    if (this.error) info.error = this.error;
    return info;
  }

  /** Resolves the pods (NOT_FOUND when the pod or Deployment does not exist) and starts reading. */
  async start(): Promise<LogStreamInfo> {
    const attempt = ++this.attempt;
    const pods = await this.resolvePods();
    if (attempt !== this.attempt || this.stopped) return this.info();
    for (const pod of pods.items) this.addPod(pod, false);
    if (this.isDeploymentFollow()) this.watchPods(pods.resourceVersion, attempt);
    else this.endIfAllDone();
    return this.info();
  }

  /** Reconnects an ended stream, every container continuing after its last line. */
  async retry(): Promise<LogStreamInfo> {
    if (this.stopped) throw new AppError('NOT_FOUND', 'That log stream was stopped; open the logs again.', { streamId: this.id });
    if (this.state === 'streaming') return this.info();
    this.state = 'streaming';
    this.error = undefined;
    const attempt = ++this.attempt;
    let pods: { items: RawPod[]; resourceVersion?: string };
    try {
      pods = await this.resolvePods();
    } catch (error) {
      this.end(toAppError(error));
      throw toAppError(error);
    }
    if (attempt !== this.attempt || this.stopped) return this.info();
    const present = new Set(pods.items.map((pod) => pod.metadata?.name));
    for (const state of this.sources.values()) {
      state.done = true;
      if (present.has(state.info.pod)) {
        state.done = false;
        this.read(state, attempt);
      }
    }
    for (const pod of pods.items) this.addPod(pod, true);
    if (this.isDeploymentFollow()) this.watchPods(pods.resourceVersion, attempt);
    else this.endIfAllDone();
    return this.info();
  }

  stop(): void {
    this.stopped = true;
    this.attempt += 1;
    this.clearTimer();
    this.pending.clear();
    this.podWatch?.stop();
    this.forEachStream((stream) => stream.abort());
  }

  acknowledge(lineCount: number): void {
    this.flow.acknowledge(lineCount);
  }

  private isDeploymentFollow(): boolean {
    return this.source.kind === 'deployment' && this.options.follow && !this.options.previous;
  }

  private describeSource(): string {
    return `the logs of ${this.source.kind === 'deployment' ? 'Deployment' : 'pod'} ${this.source.namespace}/${this.source.name}`;
  }

  private async resolvePods(): Promise<{ items: RawPod[]; resourceVersion?: string }> {
    const { namespace, name } = this.source;
    try {
      if (this.source.kind === 'pod') {
        return { items: [await this.deps.api.getJson<RawPod>(`${podsPath(namespace)}/${encodeURIComponent(name)}`, 15_000)] };
      }
      const deployment = await this.deps.api.getJson<RawDeployment>(
        `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(name)}`,
        15_000,
      );
      const selector = selectorQuery(deployment.spec?.selector);
      if (!selector) throw new AppError('INVALID_INPUT', `Deployment ${namespace}/${name} has no selector to find its pods by.`);
      this.selector = selector;
      const list = await this.deps.api.getJson<RawList<RawPod> & { metadata?: { resourceVersion?: string } }>(
        `${podsPath(namespace)}?${new URLSearchParams({ labelSelector: selector }).toString()}`,
        15_000,
      );
      const items = (list.items ?? []).sort((a, b) =>
        (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''),
      );
      return list.metadata?.resourceVersion ? { items, resourceVersion: list.metadata.resourceVersion } : { items };
    } catch (error) {
      const appError = toAppError(error);
      if (appError.code === 'NOT_FOUND') {
        const kind = this.source.kind === 'deployment' ? 'Deployment' : 'Pod';
        throw new AppError('NOT_FOUND', `${kind} ${namespace}/${name} does not exist in context ${this.source.context}.`, {
          kind,
          namespace,
          name,
        });
      }
      throw appError;
    }
  }

  /** Starts reading a pod's container unless it is read already or has nothing to read yet. */
  private addPod(pod: RawPod, fromStart: boolean): void {
    const name = pod.metadata?.name;
    if (!name || pod.metadata?.deletionTimestamp) return;
    // A pod that has not started has no log yet: the watch adds it once it runs.
    if (this.isDeploymentFollow() && (pod.status?.phase ?? 'Pending') === 'Pending') return;
    const containers = (pod.spec?.containers ?? []).map((container) => container.name ?? '');
    const container = this.source.container ?? containers[0];
    if (!container) return;
    const key = `${name}/${container}`;
    if (this.sources.has(key)) return;
    const state: SourceState = {
      info: { pod: name, container, colour: this.sources.size },
      textsAtLast: new Set(),
      linesSeen: 0,
      done: false,
      fromStart,
    };
    this.sources.set(key, state);
    this.newSources.push(state.info);
    if (!containers.includes(container)) {
      const problem = new AppError(
        'NOT_FOUND',
        `Pod ${name} has no container "${container}"; its containers are ${containers.join(', ')}.`,
      );
      this.notice(state, problem.message);
      this.sourceDone(state, problem.toJSON());
      return;
    }
    this.read(state, this.attempt);
  }

  private logPath(state: SourceState): string {
    const query = new URLSearchParams({ container: state.info.container, timestamps: 'true' });
    if (this.options.follow && !this.options.previous) query.set('follow', 'true');
    if (this.options.previous) query.set('previous', 'true');
    if (state.lastTimestamp) query.set('sinceTime', state.lastTimestamp);
    else if (state.linesSeen > 0 && this.endedAt) query.set('sinceTime', this.endedAt);
    else if (!state.fromStart) {
      if (this.options.tailLines !== undefined) query.set('tailLines', String(this.options.tailLines));
      if (this.options.sinceSeconds !== undefined) query.set('sinceSeconds', String(this.options.sinceSeconds));
    }
    return `${podsPath(this.source.namespace)}/${encodeURIComponent(state.info.pod)}/log?${query.toString()}`;
  }

  private read(state: SourceState, attempt: number): void {
    void (async () => {
      let stream: OpenStream;
      try {
        stream = await this.deps.api.openStream(this.logPath(state));
      } catch (error) {
        if (attempt !== this.attempt) return;
        const appError = toAppError(error);
        if (appError.code === 'UNREACHABLE' || appError.code === 'TIMEOUT') {
          this.end(connectionLostError(this.describeSource(), causeOf(appError)));
          return;
        }
        this.notice(state, `${state.info.pod}/${state.info.container}: ${appError.message}`);
        this.sourceDone(state, appError.toJSON());
        return;
      }
      if (attempt !== this.attempt) {
        stream.abort();
        return;
      }
      state.stream = stream;
      if (this.flow.paused) stream.response.pause();
      const splitter = new LineSplitter();
      const take = (lines: string[]) => {
        for (const raw of lines) this.receive(state, raw);
      };
      let finished = false;
      const finish = (cut: boolean, cause: string) => {
        if (finished || attempt !== this.attempt) return;
        finished = true;
        take(splitter.end());
        state.stream = undefined;
        if (cut) this.end(connectionLostError(this.describeSource(), cause));
        else void this.checkEnded(state, attempt);
      };
      stream.response.on('data', (chunk: Buffer) => take(splitter.push(chunk)));
      stream.response.on('error', (error: NodeJS.ErrnoException) => finish(true, error.code ?? error.message));
      stream.response.on('close', () => finish(!stream.response.complete, 'the stream was cut'));
    })();
  }

  private receive(state: SourceState, raw: string): void {
    const { timestamp, text } = splitTimestamp(raw);
    if (timestamp !== undefined && state.lastTimestamp !== undefined) {
      const order = compareTimestamps(timestamp, state.lastTimestamp);
      // A resumed read starts at the last timestamp: what was shown already is skipped.
      if (order < 0) return;
      if (order === 0 && state.textsAtLast.delete(text)) return;
    }
    if (timestamp !== undefined) {
      if (timestamp !== state.lastTimestamp) state.textsAtLast.clear();
      state.lastTimestamp = timestamp;
      state.textsAtLast.add(text);
    }
    state.linesSeen += 1;
    const line: LogLine = { pod: state.info.pod, container: state.info.container, text };
    if (timestamp !== undefined) line.timestamp = timestamp;
    this.queue(state, line);
  }

  private notice(state: SourceState, text: string): void {
    this.queue(state, { pod: state.info.pod, container: state.info.container, text, notice: true });
  }

  private queue(state: SourceState, line: LogLine): void {
    const key = `${state.info.pod}/${state.info.container}`;
    let lines = this.pending.get(key);
    if (!lines) this.pending.set(key, (lines = []));
    lines.push(line);
    this.pendingCount += 1;
    if (this.pendingCount >= (this.deps.batchMaxLines ?? 5_000)) this.flush();
    else this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.timer ??= setTimeout(() => this.flush(), this.deps.batchDelayMs ?? 100);
  }

  private flush(): void {
    this.clearTimer();
    if (this.stopped || (this.pendingCount === 0 && this.newSources.length === 0)) return;
    const lines = mergeByTimestamp([...this.pending.values()]);
    this.pending = new Map();
    this.pendingCount = 0;
    this.seq += 1;
    const batch: LogBatch = { streamId: this.id, seq: this.seq, lines };
    if (this.newSources.length > 0) batch.sources = this.newSources;
    this.newSources = [];
    this.flow.sent(lines.length);
    this.deps.emitBatch(batch);
  }

  /**
   * A container's log ended cleanly. Without follow that is the end of it. While following, the
   * pod is looked at: gone or finished is a normal end; still running means the API server
   * closed the stream (a graceful restart does that), which is said as such.
   */
  private async checkEnded(state: SourceState, attempt: number): Promise<void> {
    if (!this.options.follow || this.options.previous) {
      this.sourceDone(state);
      return;
    }
    let pod: RawPod | undefined;
    try {
      pod = await this.deps.api.getJson<RawPod>(`${podsPath(this.source.namespace)}/${encodeURIComponent(state.info.pod)}`, 5_000);
    } catch (error) {
      if (attempt !== this.attempt) return;
      const appError = toAppError(error);
      if (appError.code !== 'NOT_FOUND') {
        this.end(connectionLostError(this.describeSource(), causeOf(appError)));
        return;
      }
    }
    if (attempt !== this.attempt) return;
    const phase = pod?.status?.phase;
    if (pod === undefined || pod.metadata?.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed') {
      if (this.source.kind === 'deployment') this.notice(state, `Pod ${state.info.pod} is gone; its log ends here.`);
      this.sourceDone(state);
      return;
    }
    this.end(connectionLostError(this.describeSource(), `the API server closed the stream of ${state.info.pod} while it still runs`));
  }

  private sourceDone(state: SourceState, error?: SerializedError): void {
    state.done = true;
    if (this.isDeploymentFollow()) {
      this.scheduleFlush();
      return;
    }
    this.endIfAllDone(error);
  }

  private endIfAllDone(error?: SerializedError): void {
    if ([...this.sources.values()].every((source) => source.done)) {
      // One pod's failure (no previous container, not started) is the stream's when it was the only one.
      this.end(this.sources.size === 1 ? error : undefined);
    }
  }

  /**
   * Follows a Deployment's pods from the list's version, so a scale-up or a rollout joins the
   * stream (the shared loop resumes, relists after a 410 and backs off after a refusal); a
   * connection the API server drops ends the stream, as a dropped log does.
   */
  private watchPods(resourceVersion: string | undefined, attempt: number): void {
    this.podWatch?.stop();
    const add = (pod: RawPod) => {
      if (attempt === this.attempt) this.addPod(pod, true);
    };
    this.podWatch = new ListWatch<RawPod, RawPod>(
      this.deps.api,
      {
        replace: (pods) => pods.forEach(add),
        upsert: add,
        remove: () => undefined,
        status: ({ error }) => {
          if (attempt === this.attempt && error?.code === 'UNREACHABLE') {
            this.end(connectionLostError(this.describeSource(), causeOf(error)));
          }
        },
      },
      {
        path: podsPath(this.source.namespace),
        query: { labelSelector: this.selector },
        decode: (pod) => pod,
        ...(resourceVersion ? { resourceVersion } : {}),
        backoff: this.watchBackoff,
      },
    );
    this.podWatch.start();
  }

  /** Ends the stream (once per attempt): remaining lines go out first, then the end event. */
  private end(error: AppError | SerializedError | undefined): void {
    if (this.stopped || this.state === 'ended') return;
    this.attempt += 1;
    this.flush();
    this.podWatch?.stop();
    this.podWatch = undefined;
    this.forEachStream((stream) => stream.abort());
    for (const state of this.sources.values()) state.stream = undefined;
    this.state = 'ended';
    this.endedAt = new Date().toISOString();
    this.error = error instanceof AppError ? error.toJSON() : error;
    this.deps.emitEnd(this.error ? { streamId: this.id, error: this.error } : { streamId: this.id });
  }

  private forEachStream(action: (stream: OpenStream) => void): void {
    for (const state of this.sources.values()) if (state.stream) action(state.stream);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
