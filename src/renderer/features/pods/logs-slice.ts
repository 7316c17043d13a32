/**
 * The open logs view of a pod or a Deployment: one stream at a time, its lines in a LogSession
 * (outside the store), batches that beat startLogs' answer held until it comes, and Retry that
 * goes on with the same stream or opens it anew when the main process forgot it.
 */
import type { StateCreator } from 'zustand';
import type { LogBatch, LogOptions, LogSource, LogSourceInfo, LogStreamEnd } from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';
import { LogSession, type ScheduleFrame } from './log-session';

/** Logs open with the last 1,000 lines of each container, then follow. */
export const defaultLogOptions: LogOptions = { follow: true, tailLines: 1_000 };

/** The open logs view. Lines live in the LogSession (outside the store); this is what the toolbar shows. */
export interface LogViewState {
  source: LogSource;
  options: LogOptions;
  streamId?: string;
  phase: 'starting' | 'streaming' | 'ended' | 'failed';
  error?: SerializedError;
  sources: LogSourceInfo[];
}

export interface LogsSlice {
  logView: LogViewState | undefined;
  /** Opens logs of a pod or a Deployment (from any view: it moves to the Pods view). */
  openLogs: (source: LogSource, options?: Partial<LogOptions>) => Promise<void>;
  /** Restarts the stream with other options (previous container, tail). */
  setLogOptions: (patch: Partial<LogOptions>) => Promise<void>;
  retryLogs: () => Promise<void>;
  closeLogs: () => Promise<void>;
  /** The lines of the open logs view, for the view to read and subscribe to. */
  logSession: () => LogSession | undefined;
}

export interface LogsSliceOptions {
  /** Default: requestAnimationFrame (tests run frames at once). */
  scheduleFrame?: ScheduleFrame;
}

export function createLogsSlice(deps: StoreDeps, options: LogsSliceOptions = {}): StateCreator<AppState, [], [], LogsSlice> {
  return (set, get) => {
    let session: LogSession | undefined;
    let lastSeq = 0;
    /** Batches and ends of streams whose id the client does not know yet (they can beat startLogs' answer). */
    const early = new Map<string, { batches: LogBatch[]; end?: LogStreamEnd }>();

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

    // Log lines are subscribed on first use: a page that never opens logs is not sent any.
    let subscribed = false;
    const subscribe = () => {
      if (subscribed) return;
      subscribed = true;
      deps.api.pods.onDidLogs(receiveBatch);
      deps.api.pods.onDidEndLogs(receiveEnd);
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

    return {
      logView: undefined,

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
    };
  };
}
