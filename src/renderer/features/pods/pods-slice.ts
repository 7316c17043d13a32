import type { StateCreator } from 'zustand';
import type {
  ForwardInfo,
  ForwardRequest,
  LogBatch,
  LogOptions,
  LogSource,
  LogSourceInfo,
  LogStreamEnd,
  ObjectDescription,
  ObjectEvent,
  PodSummary,
  PodsObjectRef,
} from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import { LogSession, type ScheduleFrame } from './log-session';
import type { AppState, StoreDeps } from '../../store/app-store';

/** Logs open with the last 1,000 lines of each container, then follow. */
export const defaultLogOptions: LogOptions = { follow: true, tailLines: 1_000 };

/** Where a pod exec tab starts before its pane fits it. */
const execSize = { cols: 100, rows: 30 };

export type PodListState =
  | { state: 'idle' }
  | { state: 'loading'; pods: PodSummary[] }
  | { state: 'loaded'; pods: PodSummary[] }
  | { state: 'failed'; pods: PodSummary[]; error: SerializedError };

/** The open logs view. Lines live in the LogSession (outside the store); this is what the toolbar shows. */
export interface LogViewState {
  source: LogSource;
  options: LogOptions;
  streamId?: string;
  phase: 'starting' | 'streaming' | 'ended' | 'failed';
  error?: SerializedError;
  sources: LogSourceInfo[];
}

/** The events or describe panel of one object. */
export type PodPanelState =
  | { kind: 'events'; ref: PodsObjectRef; state: 'loading' }
  | { kind: 'events'; ref: PodsObjectRef; state: 'loaded'; events: ObjectEvent[]; loadedAt: number }
  | { kind: 'describe'; ref: PodsObjectRef; state: 'loading' }
  | { kind: 'describe'; ref: PodsObjectRef; state: 'loaded'; description: ObjectDescription }
  | { kind: 'events' | 'describe'; ref: PodsObjectRef; state: 'failed'; error: SerializedError };

export interface PodsSlice {
  /** The context and namespace the Pods view lists ('' = every namespace); the active context until one is picked. */
  podsContext: string | undefined;
  podsNamespace: string;
  podList: PodListState;
  logView: LogViewState | undefined;
  podPanel: PodPanelState | undefined;
  forwards: ForwardInfo[];
  podsError: SerializedError | undefined;
  setPodsScope: (scope: { context?: string; namespace?: string }) => void;
  loadPods: () => Promise<void>;
  /** Opens logs of a pod or a Deployment (from any view: it moves to the Pods view). */
  openLogs: (source: LogSource, options?: Partial<LogOptions>) => Promise<void>;
  /** Restarts the stream with other options (previous container, tail). */
  setLogOptions: (patch: Partial<LogOptions>) => Promise<void>;
  retryLogs: () => Promise<void>;
  closeLogs: () => Promise<void>;
  /** The lines of the open logs view, for the view to read and subscribe to. */
  logSession: () => LogSession | undefined;
  showEvents: (ref: PodsObjectRef) => Promise<void>;
  showDescribe: (ref: PodsObjectRef) => Promise<void>;
  closePodPanel: () => void;
  loadForwards: () => Promise<void>;
  startForward: (request: ForwardRequest) => Promise<ForwardInfo | undefined>;
  stopForward: (forwardId: string) => Promise<void>;
  /** Opens an exec tab into the pod and shows it in the Terminals view. */
  execInPod: (target: { context: string; namespace: string; pod: string; container?: string }) => Promise<void>;
  /** Exec into a running pod of a Deployment (the apps view's instance cards have no pod names). */
  execInDeployment: (target: { context: string; namespace: string; deployment: string }) => Promise<void>;
  /** Details or events in the Pods view, from another view. */
  showInPods: (kind: 'events' | 'describe', ref: PodsObjectRef) => Promise<void>;
  dismissPodsError: () => void;
}

export interface PodsSliceOptions {
  /** Default: requestAnimationFrame (tests run frames at once). */
  scheduleFrame?: ScheduleFrame;
}

export function createPodsSlice(deps: StoreDeps, options: PodsSliceOptions = {}): StateCreator<AppState, [], [], PodsSlice> {
  return (set, get) => {
    let session: LogSession | undefined;
    let lastSeq = 0;
    /** Batches and ends of streams whose id the client does not know yet (they can beat startLogs' answer). */
    const early = new Map<string, { batches: LogBatch[]; end?: LogStreamEnd }>();
    let subscribed = false;
    const fail = (error: unknown) => set({ podsError: AppError.from(error).toJSON() });

    const receiveBatch = (batch: LogBatch) => {
      const view = get().logView;
      if (!session || view?.streamId !== batch.streamId) {
        if (view?.phase === 'starting') {
          const held = early.get(batch.streamId) ?? { batches: [] };
          held.batches.push(batch);
          early.set(batch.streamId, held);
        }
        return;
      }
      // A duplicate (a second subscription after a reconnect) is dropped.
      if (batch.seq <= lastSeq) return;
      lastSeq = batch.seq;
      if (batch.sources) {
        session.addSources(batch.sources);
        set({ logView: { ...view, sources: [...view.sources, ...batch.sources] } });
      }
      session.append(batch.lines);
      // Appended to the ring: the producer may go on (a slow frame only delays the drawing).
      deps.api.pods.acknowledgeLogs(batch.streamId, batch.lines.length).catch(() => undefined);
    };

    const receiveEnd = (end: LogStreamEnd) => {
      const view = get().logView;
      if (view?.streamId !== end.streamId) {
        if (view?.phase === 'starting') {
          const held = early.get(end.streamId) ?? { batches: [] };
          held.end = end;
          early.set(end.streamId, held);
        }
        return;
      }
      set({ logView: { ...view, phase: 'ended', ...(end.error ? { error: end.error } : {}) } });
    };

    const subscribe = () => {
      if (subscribed) return;
      subscribed = true;
      deps.api.pods.onDidLogs(receiveBatch);
      deps.api.pods.onDidEndLogs(receiveEnd);
      deps.api.pods.onDidChangeForwards((forwards) => set({ forwards }));
    };

    const stopCurrent = async () => {
      const streamId = get().logView?.streamId;
      early.clear();
      if (streamId) await deps.api.pods.stopLogs(streamId).catch(() => undefined);
    };

    const start = async (source: LogSource, logOptions: LogOptions) => {
      subscribe();
      await stopCurrent();
      session = new LogSession(undefined, options.scheduleFrame);
      lastSeq = 0;
      set({ logView: { source, options: logOptions, phase: 'starting', sources: [] } });
      try {
        const info = await deps.api.pods.startLogs(source, logOptions);
        if (get().logView?.source !== source) {
          await deps.api.pods.stopLogs(info.streamId);
          return;
        }
        session.addSources(info.sources);
        set({
          logView: {
            source,
            options: logOptions,
            streamId: info.streamId,
            phase: info.state === 'ended' ? 'ended' : 'streaming',
            sources: info.sources,
            ...(info.error ? { error: info.error } : {}),
          },
        });
        const held = early.get(info.streamId);
        early.clear();
        for (const batch of held?.batches ?? []) receiveBatch(batch);
        if (held?.end) receiveEnd(held.end);
      } catch (error) {
        if (get().logView?.source === source) {
          set({ logView: { source, options: logOptions, phase: 'failed', error: AppError.from(error).toJSON(), sources: [] } });
        }
      }
    };

    const loadPanel = async <K extends 'events' | 'describe'>(kind: K, ref: PodsObjectRef) => {
      set({ podPanel: { kind, ref, state: 'loading' } as PodPanelState });
      try {
        const panel: PodPanelState =
          kind === 'events'
            ? { kind: 'events', ref, state: 'loaded', events: await deps.api.pods.events(ref), loadedAt: Date.now() }
            : { kind: 'describe', ref, state: 'loaded', description: await deps.api.pods.describe(ref) };
        if (get().podPanel?.ref === ref) set({ podPanel: panel });
      } catch (error) {
        if (get().podPanel?.ref === ref) set({ podPanel: { kind, ref, state: 'failed', error: AppError.from(error).toJSON() } });
      }
    };

    return {
      podsContext: undefined,
      podsNamespace: '',
      podList: { state: 'idle' },
      logView: undefined,
      podPanel: undefined,
      forwards: [],
      podsError: undefined,

      setPodsScope: (scope) => {
        const next: Partial<PodsSlice> = {};
        if (scope.context !== undefined && scope.context !== get().podsContext) next.podsContext = scope.context;
        if (scope.namespace !== undefined && scope.namespace !== get().podsNamespace) next.podsNamespace = scope.namespace;
        if (Object.keys(next).length > 0) set({ ...next, podList: { state: 'idle' } });
      },

      loadPods: async () => {
        const context = get().podsContext ?? get().clusters?.activeContext;
        if (!context) return;
        const namespace = get().podsNamespace.trim();
        const before = get().podList;
        const pods = before.state === 'idle' ? [] : before.pods;
        set({ podList: { state: 'loading', pods } });
        try {
          const list = await deps.api.pods.listPods(namespace ? { context, namespace } : { context });
          set({ podList: { state: 'loaded', pods: list } });
        } catch (error) {
          set({ podList: { state: 'failed', pods, error: AppError.from(error).toJSON() } });
        }
      },

      openLogs: async (source, patch) => {
        set({ podsContext: source.context, podsNamespace: source.namespace });
        if (get().view !== 'pods') get().navigate('pods');
        await start(source, { ...defaultLogOptions, ...patch });
      },

      setLogOptions: async (patch) => {
        const view = get().logView;
        if (!view) return;
        const next: LogOptions = { ...view.options, ...patch };
        // A previous container has ended: there is nothing to follow.
        if (next.previous) next.follow = false;
        else if (patch.previous === false) next.follow = true;
        await start(view.source, next);
      },

      retryLogs: async () => {
        const view = get().logView;
        if (!view) return;
        if (!view.streamId || view.phase === 'failed') {
          await start(view.source, view.options);
          return;
        }
        set({ logView: { ...view, phase: 'streaming', error: undefined } });
        try {
          const info = await deps.api.pods.retryLogs(view.streamId);
          const current = get().logView;
          if (current?.streamId === info.streamId && info.state === 'ended') {
            set({ logView: { ...current, phase: 'ended', ...(info.error ? { error: info.error } : {}) } });
          }
        } catch (error) {
          const appError = AppError.from(error);
          // The main process forgot the stream (it restarted): open it anew. A NOT_FOUND about the
          // pod or Deployment names them, not the stream.
          if (appError.code === 'NOT_FOUND' && appError.details?.streamId === view.streamId) await start(view.source, view.options);
          else if (get().logView?.streamId === view.streamId) set({ logView: { ...view, phase: 'ended', error: appError.toJSON() } });
        }
      },

      closeLogs: async () => {
        await stopCurrent();
        session = undefined;
        set({ logView: undefined });
      },

      logSession: () => session,

      showEvents: (ref) => loadPanel('events', ref),
      showDescribe: (ref) => loadPanel('describe', ref),
      closePodPanel: () => set({ podPanel: undefined }),

      loadForwards: async () => {
        subscribe();
        try {
          set({ forwards: await deps.api.pods.listForwards() });
        } catch (error) {
          fail(error);
        }
      },

      startForward: async (request) => {
        subscribe();
        try {
          const info = await deps.api.pods.startForward(request);
          set({ forwards: [...get().forwards.filter((forward) => forward.id !== info.id), info], podsError: undefined });
          return info;
        } catch (error) {
          fail(error);
          return undefined;
        }
      },

      stopForward: async (forwardId) => {
        set({ forwards: get().forwards.filter((forward) => forward.id !== forwardId) });
        try {
          await deps.api.pods.stopForward(forwardId);
        } catch (error) {
          fail(error);
        }
      },

      execInPod: async ({ context, namespace, pod, container }) => {
        await get().openTerminal({ kind: 'pod', context, namespace, pod, ...(container ? { container } : {}) }, execSize);
        get().navigate('terminals');
      },

      execInDeployment: async ({ context, namespace, deployment }) => {
        try {
          const pods = await deps.api.pods.listPods({ context, namespace, deployment });
          const pod = pods.find((candidate) => candidate.phase === 'Running');
          if (!pod) {
            fail(new AppError('NOT_FOUND', `Deployment ${namespace}/${deployment} has no running pod to exec into yet.`));
            return;
          }
          await get().execInPod({ context, namespace, pod: pod.name });
        } catch (error) {
          fail(error);
        }
      },

      showInPods: async (kind, ref) => {
        if (ref.namespace) set({ podsContext: ref.context, podsNamespace: ref.namespace });
        get().navigate('pods');
        await loadPanel(kind, ref);
      },

      dismissPodsError: () => set({ podsError: undefined }),
    };
  };
}
