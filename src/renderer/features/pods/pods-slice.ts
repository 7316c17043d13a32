/**
 * The Pods view: the pods of a context and namespace, the events and describe panels, port
 * forwards, and exec into a pod or a Deployment. The logs view has its own slice (logs-slice.ts).
 */
import type { StateCreator } from 'zustand';
import type { ForwardInfo, ForwardRequest, ObjectDescription, ObjectEvent, PodSummary, PodsObjectRef } from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';
import { applyPodChange } from './pod-list-change';

/** Where a pod exec tab starts before its pane fits it. */
const execSize = { cols: 100, rows: 30 };

export type PodListState =
  | { state: 'idle' }
  | { state: 'loading'; pods: PodSummary[] }
  /** `followId` while the main process follows the list's changes; `followError` while that watch retries. */
  | { state: 'loaded'; pods: PodSummary[]; followId?: string; followError?: SerializedError }
  | { state: 'failed'; pods: PodSummary[]; error: SerializedError };

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
  podPanel: PodPanelState | undefined;
  forwards: ForwardInfo[];
  podsError: SerializedError | undefined;
  setPodsScope: (scope: { context?: string; namespace?: string }) => void;
  /** Lists the pods of the scope and follows their changes (until the scope changes or stopFollowingPods). */
  loadPods: () => Promise<void>;
  /** Stops following the list's changes (the view went away); the rows stay. */
  stopFollowingPods: () => void;
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

export function createPodsSlice(deps: StoreDeps): StateCreator<AppState, [], [], PodsSlice> {
  return (set, get) => {
    let subscribed = false;
    let podsSubscribed = false;
    /** Counts loads: an answer to an older one is dropped (and its follow stopped). */
    let loads = 0;
    const fail = (error: unknown) => set({ podsError: AppError.from(error).toJSON() });

    const unfollow = () => {
      const list = get().podList;
      if (list.state !== 'loaded' || list.followId === undefined) return;
      set({ podList: { state: 'loaded', pods: list.pods } });
      deps.api.pods.unfollowPods(list.followId).catch(() => undefined);
    };

    const subscribePods = () => {
      if (podsSubscribed) return;
      podsSubscribed = true;
      deps.api.pods.onDidChangePods((change) => {
        const list = get().podList;
        if (list.state !== 'loaded' || list.followId !== change.followId) return;
        const next: PodListState = { state: 'loaded', pods: applyPodChange(list.pods, change), followId: list.followId };
        if (change.error) next.followError = change.error;
        set({ podList: next });
      });
    };

    // Forwards are subscribed on first use, like the logs slice's lines.
    const subscribe = () => {
      if (subscribed) return;
      subscribed = true;
      deps.api.pods.onDidChangeForwards((forwards) => set({ forwards }));
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
      podPanel: undefined,
      forwards: [],
      podsError: undefined,

      setPodsScope: (scope) => {
        const next: Partial<PodsSlice> = {};
        if (scope.context !== undefined && scope.context !== get().podsContext) next.podsContext = scope.context;
        if (scope.namespace !== undefined && scope.namespace !== get().podsNamespace) next.podsNamespace = scope.namespace;
        if (Object.keys(next).length === 0) return;
        unfollow();
        set({ ...next, podList: { state: 'idle' } });
      },

      loadPods: async () => {
        const context = get().podsContext ?? get().clusters?.activeContext;
        if (!context) return;
        const namespace = get().podsNamespace.trim();
        unfollow();
        subscribePods();
        const load = ++loads;
        const before = get().podList;
        const pods = before.state === 'idle' ? [] : before.pods;
        set({ podList: { state: 'loading', pods } });
        try {
          const { followId, pods: listed } = await deps.api.pods.followPods(namespace ? { context, namespace } : { context });
          if (load !== loads) {
            deps.api.pods.unfollowPods(followId).catch(() => undefined);
            return;
          }
          set({ podList: { state: 'loaded', pods: listed, followId } });
        } catch (error) {
          if (load === loads) set({ podList: { state: 'failed', pods, error: AppError.from(error).toJSON() } });
        }
      },

      stopFollowingPods: () => {
        // A load still running is dropped when it answers, its follow stopped.
        loads += 1;
        unfollow();
      },

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
