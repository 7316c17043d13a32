import { KubeConfig, Watch } from '@kubernetes/client-node';
import type { KubeRestClient } from './kube-rest.js';
import type { ClusterAccess } from './kubeconfig.js';
import { renderKubeconfig } from './kubeconfig.js';

/** The part of every Kubernetes object the watch loop reads. */
export interface ObjectWithMeta {
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string };
}

/** Callbacks of {@link startResourceWatch}. */
export interface ResourceWatchHandlers<T extends ObjectWithMeta> {
  /** Called with the full list after every (re-)list; objects missing from it are gone. */
  onList(items: T[]): void;
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T): void;
  /** Connection problems; the loop retries on its own. */
  onError?(error: unknown): void;
}

/** A running list-and-watch loop. */
export interface ResourceWatch {
  /** Resolves after the first successful list. */
  readonly listed: Promise<void>;
  stop(): void;
}

/** Creates a client-node KubeConfig for `access` (in memory, nothing written). */
export function kubeConfigFor(access: ClusterAccess): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(renderKubeconfig(access));
  return kubeConfig;
}

interface ListResponse<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

/**
 * Objects per list page. One unpaged list of 100,000 pods is about 500 MB of JSON, near V8's
 * longest string; pages keep each answer small (kubectl and client-go page at 500 too).
 */
const LIST_PAGE_SIZE = 500;

interface WatchStatus {
  code?: number;
}

/**
 * List, then watch from the list's resourceVersion, forever. client-node's Watch ends on any
 * error or server-side close and does not restart, so this loop does: a clean close resumes the
 * watch from the last seen resourceVersion; an error, a 410 Gone or an unreachable API server
 * (tests stop and restart it) leads to a fresh list after a short back-off.
 */
export function startResourceWatch<T extends ObjectWithMeta>(options: {
  rest: KubeRestClient;
  kubeConfig: KubeConfig;
  /** Collection path, e.g. `/api/v1/pods`. */
  path: string;
  fieldSelector?: string;
  labelSelector?: string;
  /** Applied to each listed object as its page arrives, e.g. to keep only the fields read. */
  decode?: (object: T) => T;
  handlers: ResourceWatchHandlers<T>;
}): ResourceWatch {
  const { rest, path, handlers } = options;
  const watch = new Watch(options.kubeConfig);
  let stopped = false;
  let abort: AbortController | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let markListed: () => void = () => undefined;
  const listed = new Promise<void>((resolve) => {
    markListed = resolve;
  });
  const selectors = new URLSearchParams();
  if (options.fieldSelector !== undefined) selectors.set('fieldSelector', options.fieldSelector);
  if (options.labelSelector !== undefined) selectors.set('labelSelector', options.labelSelector);

  const retryLater = (error: unknown): void => {
    if (stopped) return;
    handlers.onError?.(error);
    failures += 1;
    const backoffMs = Math.min(250 * 2 ** Math.min(failures, 4), 4_000);
    retryTimer = setTimeout(() => void list(), backoffMs);
  };

  const list = async (): Promise<void> => {
    if (stopped) return;
    let resourceVersion: string;
    try {
      const items: T[] = [];
      let continueToken: string | undefined;
      do {
        const query = new URLSearchParams(selectors);
        query.set('limit', String(LIST_PAGE_SIZE));
        if (continueToken !== undefined) query.set('continue', continueToken);
        const response = await rest.get<ListResponse<T>>(`${path}?${query.toString()}`);
        if (stopped) return;
        for (const item of response.items ?? []) items.push(options.decode ? options.decode(item) : item);
        resourceVersion = response.metadata?.resourceVersion ?? '';
        continueToken = response.metadata?.continue || undefined;
      } while (continueToken !== undefined);
      handlers.onList(items);
      markListed();
    } catch (error) {
      retryLater(error);
      return;
    }
    await watchFrom(resourceVersion);
  };

  const watchFrom = async (resourceVersion: string): Promise<void> => {
    let lastVersion = resourceVersion;
    let needsList = false;
    abort = await watch.watch(
      path,
      {
        fieldSelector: options.fieldSelector,
        labelSelector: options.labelSelector,
        resourceVersion,
        allowWatchBookmarks: true,
      },
      (type: string, object: T & WatchStatus) => {
        if (stopped) return;
        if (type === 'ERROR') {
          // Typically 410 Gone: our resourceVersion is too old. Only a new list recovers.
          needsList = true;
          abort?.abort();
          return;
        }
        lastVersion = object.metadata?.resourceVersion ?? lastVersion;
        failures = 0;
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') handlers.onEvent(type, object);
      },
      (error: unknown) => {
        if (stopped) return;
        if (error !== null && error !== undefined) {
          retryLater(error);
        } else if (needsList) {
          retryLater(new Error(`watch of ${path} expired (410 Gone)`));
        } else {
          // The API server ends watches after a timeout; carry on where we were.
          void watchFrom(lastVersion);
        }
      },
    );
  };

  void list();
  return {
    listed,
    stop: () => {
      stopped = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      abort?.abort();
    },
  };
}
