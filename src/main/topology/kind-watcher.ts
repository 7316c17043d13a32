/**
 * One kind of the topology map, followed by the shared list-then-watch loop of src/main/kube
 * (resourceVersion resume, 410 relist, backoff): its objects go into the model compacted, its
 * state into the kind's status.
 */
import type { KindWatchStatus, TopologyObject } from '../../shared/contract/topology';
import type { Backoff } from '../platform/backoff';
import { compactObject, SharedValues } from './compact';
import type { KindEndpoint } from './discovery';
import type { KubeApi } from '../kube/kube-api';
import { ListWatch, type ListWatchStatus } from '../kube/list-watch';
import type { RawObject } from '../kube/raw-types';

/** One object as the model stores it. */
export interface ModelEntry {
  uid: string;
  resourceVersion: string;
  object: TopologyObject;
}

/** Where a watcher puts what it reads. */
export interface KindSink {
  /** A complete list of the kind: objects missing from it were deleted. */
  replace(kind: KindEndpoint['kind'], entries: ModelEntry[]): void;
  upsert(entry: ModelEntry): void;
  remove(kind: KindEndpoint['kind'], uid: string): void;
  status(status: KindWatchStatus): void;
}

export interface KindWatcherOptions {
  /** Objects per list page (limit/continue), which bounds the memory a list needs. Default 500. */
  pageSize?: number;
  /** Asks the server to end each watch after about this long, so a silently dead connection is noticed. Default 300 s. */
  watchTimeoutSeconds?: number;
  backoff?: Backoff;
  /** How long a list page or a watch request may wait for the server's answer. Default 15 s. */
  answerTimeoutMs?: number;
}

export class KindWatcher {
  private readonly loop: ListWatch<RawObject, ModelEntry>;

  constructor(
    api: KubeApi,
    readonly endpoint: KindEndpoint,
    private readonly sink: KindSink,
    options: KindWatcherOptions = {},
    /** Values repeated across objects, kept once (one pool per context). */
    shared = new SharedValues(),
  ) {
    const kind = endpoint.kind;
    this.loop = new ListWatch<RawObject, ModelEntry>(
      api,
      {
        replace: (entries) => sink.replace(kind, entries),
        upsert: (entry) => sink.upsert(entry),
        remove: (entry) => sink.remove(kind, entry.uid),
        status: (status) => this.report(status),
      },
      {
        path: endpoint.path,
        decode: (raw) => {
          const uid = raw.metadata?.uid;
          if (!uid) return undefined;
          return { uid, resourceVersion: raw.metadata?.resourceVersion ?? '', object: compactObject(kind, raw, shared) };
        },
        ...options,
      },
    );
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private report({ state, error, retryInMs, listed }: ListWatchStatus): void {
    const status: KindWatchStatus = { kind: this.endpoint.kind, apiVersion: this.endpoint.apiVersion, state };
    if (error) status.error = error.toJSON();
    if (listed !== undefined) status.listed = listed;
    if (retryInMs !== undefined) status.retryAt = new Date(Date.now() + retryInMs).toISOString();
    this.sink.status(status);
  }
}
