import type { StateCreator } from 'zustand';
import type {
  ClashResolution,
  ClusterNode,
  ClustersState,
  DefaultKubeconfig,
  ExportResult,
  KubeconfigProblem,
  KubeconfigSource,
  NameClash,
} from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';

/** Where an import stands: idle, running, refused (problems), or waiting for clash choices. */
export type ImportStatus =
  | { phase: 'idle' }
  | { phase: 'importing' }
  | { phase: 'done'; imported: string[]; notices: string[] }
  | { phase: 'failed'; error: SerializedError; problems: KubeconfigProblem[] }
  /** `resolved`: the choices already made; a rename can reveal a further clash, and those choices carry over. */
  | { phase: 'clashes'; source: KubeconfigSource; clashes: NameClash[]; resolved: ClashResolution[] };

export type NodesState = { status: 'loading' } | { status: 'loaded'; nodes: ClusterNode[] } | { status: 'failed'; error: SerializedError };

export interface ClustersSlice {
  clusters: ClustersState | undefined;
  clustersError: SerializedError | undefined;
  importStatus: ImportStatus;
  defaultKubeconfig: DefaultKubeconfig | undefined;
  /** Nodes of a context, by context name. */
  nodes: Record<string, NodesState>;
  exportResults: Record<string, ExportResult | { status: 'failed'; error: SerializedError }>;
  loadClusters: () => Promise<void>;
  receiveClusters: (state: ClustersState) => void;
  loadDefaultKubeconfig: () => Promise<void>;
  importKubeconfig: (source: KubeconfigSource, resolutions?: ClashResolution[]) => Promise<void>;
  dismissImport: () => void;
  setActiveContext: (context: string) => Promise<void>;
  refreshContext: (context: string) => Promise<void>;
  refreshAllContexts: () => Promise<void>;
  removeContext: (context: string) => Promise<void>;
  approvePlugin: (context: string, approvalKey: string) => Promise<void>;
  revokePlugin: (context: string) => Promise<void>;
  allowExternalFiles: (context: string, paths: string[]) => Promise<void>;
  loadNodes: (context: string) => Promise<void>;
  exportContext: (context: string, path: string, replace: boolean) => Promise<void>;
}

export function createClustersSlice(deps: StoreDeps): StateCreator<AppState, [], [], ClustersSlice> {
  return (set, get) => {
    // This domain's events, from the start: every page follows them (store/app-store.ts says how slices wire events).
    deps.api.clusters.onDidChange((state) => get().receiveClusters(state));
    /** The context being switched to: states that arrive meanwhile must not flip the choice back. */
    let pendingActive: string | undefined;
    /** Runs a call that answers with the new state; failures land in clustersError. */
    const withState = async (call: () => Promise<ClustersState>) => {
      try {
        set({ clusters: await call(), clustersError: undefined });
      } catch (error) {
        set({ clustersError: AppError.from(error).toJSON() });
      }
    };
    return {
      clusters: undefined,
      clustersError: undefined,
      importStatus: { phase: 'idle' },
      defaultKubeconfig: undefined,
      nodes: {},
      exportResults: {},
      loadClusters: () => withState(() => deps.api.clusters.list()),
      receiveClusters: (clusters) =>
        set({ clusters: pendingActive === undefined ? clusters : { ...clusters, activeContext: pendingActive } }),
      loadDefaultKubeconfig: async () => {
        try {
          set({ defaultKubeconfig: await deps.api.clusters.defaultKubeconfig() });
        } catch {
          set({ defaultKubeconfig: undefined });
        }
      },
      importKubeconfig: async (source, resolutions = []) => {
        set({ importStatus: { phase: 'importing' } });
        try {
          const result = await deps.api.clusters.importKubeconfig(source, resolutions);
          if (result.status === 'needs-resolution') {
            set({ importStatus: { phase: 'clashes', source, clashes: result.clashes, resolved: resolutions } });
            return;
          }
          set({ clusters: result.state, importStatus: { phase: 'done', imported: result.imported, notices: result.notices } });
        } catch (error) {
          const serialized = AppError.from(error).toJSON();
          const problems = Array.isArray(serialized.details?.problems) ? (serialized.details.problems as KubeconfigProblem[]) : [];
          set({ importStatus: { phase: 'failed', error: serialized, problems } });
        }
      },
      dismissImport: () => set({ importStatus: { phase: 'idle' } }),
      setActiveContext: async (context) => {
        // Instant: the choice shows at once, the main process confirms it.
        const before = get().clusters;
        pendingActive = context;
        if (before) set({ clusters: { ...before, activeContext: context } });
        try {
          await withState(() => deps.api.clusters.setActive(context));
        } finally {
          pendingActive = undefined;
        }
        if (get().clustersError && before) set({ clusters: before });
      },
      refreshContext: (context) => withState(() => deps.api.clusters.refresh(context)),
      refreshAllContexts: () => withState(() => deps.api.clusters.refreshAll()),
      removeContext: (context) => withState(() => deps.api.clusters.remove(context)),
      approvePlugin: (context, approvalKey) => withState(() => deps.api.clusters.approvePlugin(context, approvalKey)),
      revokePlugin: (context) => withState(() => deps.api.clusters.revokePlugin(context)),
      allowExternalFiles: (context, paths) => withState(() => deps.api.clusters.allowExternalFiles(context, paths)),
      loadNodes: async (context) => {
        const previous = ownEntry(get().nodes, context);
        if (previous === undefined) set({ nodes: { ...get().nodes, [context]: { status: 'loading' } } });
        try {
          const nodes = await deps.api.clusters.listNodes(context);
          set({ nodes: { ...get().nodes, [context]: { status: 'loaded', nodes } } });
        } catch (error) {
          set({ nodes: { ...get().nodes, [context]: { status: 'failed', error: AppError.from(error).toJSON() } } });
        }
      },
      exportContext: async (context, path, replace) => {
        try {
          const result = await deps.api.clusters.exportContext(context, { ...(path.trim() === '' ? {} : { path: path.trim() }), replace });
          set({ exportResults: { ...get().exportResults, [context]: result } });
        } catch (error) {
          set({ exportResults: { ...get().exportResults, [context]: { status: 'failed', error: AppError.from(error).toJSON() } } });
        }
      },
    };
  };
}

/**
 * A record entry keyed by a context name from a kubeconfig: only its own entries count, so a
 * context named `constructor` or `toString` does not find Object's methods.
 */
export function ownEntry<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
