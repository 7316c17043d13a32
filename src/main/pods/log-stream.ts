/**
 * One log stream: the containers of a pod or of every pod of a Deployment, read with
 * `follow` and `timestamps=true`, split into lines, merged by time, batched (log-batcher.ts), and
 * paused far ahead of what the client has shown. A Deployment's pods that start later join the
 * stream (log-pods.ts). A connection the API server drops (its restart) ends the stream with a
 * message that says so; `retry` reconnects every container after the last line it gave
 * (container-log.ts).
 */
import type { LogBatch, LogOptions, LogSource, LogStreamEnd, LogStreamInfo } from '../../shared/contract/pods';
import { AppError, type SerializedError } from '../../shared/errors';
import type { KubeApi, OpenStream } from '../kube/kube-api';
import { toAppError } from '../kube/kube-errors';
import type { ListWatch } from '../kube/list-watch';
import { Backoff } from '../platform/backoff';
import { FlowControl } from '../terminals/flow-control';
import { ContainerLog, podsPath } from './container-log';
import { LogBatcher } from './log-batcher';
import { LineSplitter } from './log-lines';
import { causeOf, connectionLostError, findLogPods, watchLogPods, type LogPods } from './log-pods';
import type { RawPod } from '../kube/raw-types';

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

export class LogStream {
  private readonly sources = new Map<string, ContainerLog>();
  private readonly batcher: LogBatcher;
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
    this.batcher = new LogBatcher({
      streamId: id,
      delayMs: deps.batchDelayMs ?? 100,
      maxLines: deps.batchMaxLines ?? 5_000,
      emit: (batch) => {
        this.flow.sent(batch.lines.length);
        this.deps.emitBatch(batch);
      },
    });
  }

  info(): LogStreamInfo {
    const info: LogStreamInfo = {
      streamId: this.id,
      source: this.source,
      options: this.options,
      sources: [...this.sources.values()].map((log) => log.info),
      state: this.state,
    };
    if (this.error) info.error = this.error;
    return info;
  }

  /** Resolves the pods (NOT_FOUND when the pod or Deployment does not exist) and starts reading. */
  async start(): Promise<LogStreamInfo> {
    const attempt = ++this.attempt;
    const pods = await this.findPods();
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
    let pods: LogPods;
    try {
      pods = await this.findPods();
    } catch (error) {
      this.end(toAppError(error));
      throw toAppError(error);
    }
    if (attempt !== this.attempt || this.stopped) return this.info();
    const present = new Set(pods.items.map((pod) => pod.metadata?.name));
    for (const log of this.sources.values()) {
      log.done = true;
      if (present.has(log.info.pod)) {
        log.done = false;
        this.read(log, attempt);
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
    this.batcher.close();
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

  private async findPods(): Promise<LogPods> {
    const pods = await findLogPods(this.deps.api, this.source);
    if (pods.selector !== undefined) this.selector = pods.selector;
    return pods;
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
    const log = new ContainerLog({ pod: name, container, colour: this.sources.size }, fromStart);
    this.sources.set(key, log);
    this.batcher.addSource(log.info);
    if (!containers.includes(container)) {
      const problem = new AppError(
        'NOT_FOUND',
        `Pod ${name} has no container "${container}"; its containers are ${containers.join(', ')}.`,
      );
      this.batcher.add(log.notice(problem.message));
      this.sourceDone(log, problem.toJSON());
      return;
    }
    this.read(log, this.attempt);
  }

  private read(log: ContainerLog, attempt: number): void {
    void (async () => {
      let stream: OpenStream;
      try {
        stream = await this.deps.api.openStream(log.path(this.source.namespace, this.options, this.endedAt));
      } catch (error) {
        if (attempt !== this.attempt) return;
        const appError = toAppError(error);
        if (appError.code === 'UNREACHABLE' || appError.code === 'TIMEOUT') {
          this.end(connectionLostError(this.describeSource(), causeOf(appError)));
          return;
        }
        this.batcher.add(log.notice(`${log.info.pod}/${log.info.container}: ${appError.message}`));
        this.sourceDone(log, appError.toJSON());
        return;
      }
      if (attempt !== this.attempt) {
        stream.abort();
        return;
      }
      log.stream = stream;
      if (this.flow.paused) stream.response.pause();
      const splitter = new LineSplitter();
      const take = (lines: string[]) => {
        for (const raw of lines) {
          const line = log.line(raw);
          if (line) this.batcher.add(line);
        }
      };
      let finished = false;
      const finish = (cut: boolean, cause: string) => {
        if (finished || attempt !== this.attempt) return;
        finished = true;
        take(splitter.end());
        log.stream = undefined;
        if (cut) this.end(connectionLostError(this.describeSource(), cause));
        else void this.checkEnded(log, attempt);
      };
      stream.response.on('data', (chunk: Buffer) => take(splitter.push(chunk)));
      stream.response.on('error', (error: NodeJS.ErrnoException) => finish(true, error.code ?? error.message));
      stream.response.on('close', () => finish(!stream.response.complete, 'the stream was cut'));
    })();
  }

  /**
   * A container's log ended cleanly. Without follow that is the end of it. While following, the
   * pod is looked at: gone or finished is a normal end; still running means the API server
   * closed the stream (a graceful restart does that), which is said as such.
   */
  private async checkEnded(log: ContainerLog, attempt: number): Promise<void> {
    if (!this.options.follow || this.options.previous) {
      this.sourceDone(log);
      return;
    }
    let pod: RawPod | undefined;
    try {
      pod = await this.deps.api.getJson<RawPod>(`${podsPath(this.source.namespace)}/${encodeURIComponent(log.info.pod)}`, 5_000);
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
      if (this.source.kind === 'deployment') this.batcher.add(log.notice(`Pod ${log.info.pod} is gone; its log ends here.`));
      this.sourceDone(log);
      return;
    }
    this.end(connectionLostError(this.describeSource(), `the API server closed the stream of ${log.info.pod} while it still runs`));
  }

  private sourceDone(log: ContainerLog, error?: SerializedError): void {
    log.done = true;
    if (this.isDeploymentFollow()) {
      this.batcher.schedule();
      return;
    }
    this.endIfAllDone(error);
  }

  private endIfAllDone(error?: SerializedError): void {
    if ([...this.sources.values()].every((log) => log.done)) {
      // One pod's failure (no previous container, not started) is the stream's when it was the only one.
      this.end(this.sources.size === 1 ? error : undefined);
    }
  }

  /** Follows a Deployment's pods from the list's version; a connection the API server drops ends the stream, as a dropped log does. */
  private watchPods(resourceVersion: string | undefined, attempt: number): void {
    this.podWatch?.stop();
    this.podWatch = watchLogPods(this.deps.api, {
      namespace: this.source.namespace,
      selector: this.selector,
      resourceVersion,
      backoff: this.watchBackoff,
      onPod: (pod) => {
        if (attempt === this.attempt) this.addPod(pod, true);
      },
      onLost: (error) => {
        if (attempt === this.attempt) this.end(connectionLostError(this.describeSource(), causeOf(error)));
      },
    });
  }

  /** Ends the stream (once per attempt): remaining lines go out first, then the end event. */
  private end(error: AppError | SerializedError | undefined): void {
    if (this.stopped || this.state === 'ended') return;
    this.attempt += 1;
    this.batcher.flush();
    this.podWatch?.stop();
    this.podWatch = undefined;
    this.forEachStream((stream) => stream.abort());
    for (const log of this.sources.values()) log.stream = undefined;
    this.state = 'ended';
    this.endedAt = new Date().toISOString();
    this.error = error instanceof AppError ? error.toJSON() : error;
    this.deps.emitEnd(this.error ? { streamId: this.id, error: this.error } : { streamId: this.id });
  }

  private forEachStream(action: (stream: OpenStream) => void): void {
    for (const log of this.sources.values()) if (log.stream) action(log.stream);
  }
}
