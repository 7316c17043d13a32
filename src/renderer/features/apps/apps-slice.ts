import type { StateCreator } from 'zustand';
import type {
  AppInstanceStatus,
  Catalog,
  DeployRequest,
  ObjectRef,
  PreflightResult,
  YamlApplyResult,
  YamlProgress,
} from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';

/** How long a slider waits after the last move before it scales (one request per gesture). */
export const SCALE_DEBOUNCE_MS = 300;

/** Where the deploy dialog of one catalog app stands. */
export type DeployState =
  | { phase: 'editing'; appId: string }
  | { phase: 'checking'; appId: string }
  | { phase: 'checked'; appId: string; preflight: PreflightResult }
  | { phase: 'installing'; appId: string; preflight?: PreflightResult }
  | { phase: 'refused'; appId: string; preflight: PreflightResult }
  | { phase: 'failed'; appId: string; error: SerializedError };

/** What the custom YAML panel holds: kept in the store so leaving the Apps view loses nothing. */
export interface YamlDraft {
  text: string;
  /** For namespaced objects that name none. */
  namespace: string;
  /** Namespaces the user chose to create first ("Create namespace X" after a dry run). */
  createNamespaces: string[];
}

/** A dry run or apply: what it was run on, so a result is shown only beside the same draft. */
export interface YamlRun {
  draft: YamlDraft;
  dryRun: boolean;
}

export type YamlState =
  | { phase: 'idle' }
  | {
      phase: 'running';
      run: YamlRun;
      operationId: string;
      progress?: { done: number; total: number; current?: ObjectRef };
      cancelling: boolean;
    }
  | { phase: 'done'; run: YamlRun; result: YamlApplyResult }
  | { phase: 'failed'; run: YamlRun; error: SerializedError };

/** Whether two drafts would send the same request. */
export function sameDraft(a: YamlDraft, b: YamlDraft): boolean {
  return a.text === b.text && a.namespace === b.namespace && a.createNamespaces.join('\n') === b.createNamespaces.join('\n');
}

/** The key of an installed instance in the slice. */
export function instanceKey(status: { context: string; namespace: string; instance: string }): string {
  return `${status.context}/${status.namespace}/${status.instance}`;
}

export interface AppsSlice {
  appsCatalog: Catalog | undefined;
  appsError: SerializedError | undefined;
  /** Installed instances by {@link instanceKey}. */
  appInstances: Record<string, AppInstanceStatus>;
  /** Slider values not yet confirmed by the cluster, by `<instanceKey>#<deployment>`. */
  pendingReplicas: Record<string, number>;
  deploy: DeployState | undefined;
  yaml: YamlState;
  yamlDraft: YamlDraft;
  loadAppsCatalog: () => Promise<void>;
  /** Lists a context's installed instances and follows each (live status events). */
  loadAppInstances: (context: string) => Promise<void>;
  receiveAppStatus: (status: AppInstanceStatus) => void;
  openDeploy: (appId: string) => void;
  closeDeploy: () => void;
  preflightDeploy: (request: DeployRequest) => Promise<void>;
  installApp: (request: DeployRequest) => Promise<void>;
  /** Moves a slider: shows at once, scales after {@link SCALE_DEBOUNCE_MS} without further moves. */
  setReplicas: (key: string, deployment: string, replicas: number) => void;
  uninstallApp: (key: string) => Promise<void>;
  /** Edits the draft; an error of an earlier run no longer applies to the new text and is cleared. */
  editYamlDraft: (patch: Partial<YamlDraft>) => void;
  /** Dry run or apply of the draft as it is now; the outcome lands in `yaml` even if the Apps view was left meanwhile. */
  runYaml: (context: string, mode: 'dry-run' | 'apply' | 'force-apply') => Promise<void>;
  receiveYamlProgress: (progress: YamlProgress) => void;
  /** Stops the running dry run or apply after the objects in flight. */
  cancelYaml: () => Promise<void>;
  resetYaml: () => void;
  dismissAppsError: () => void;
}

export function createAppsSlice(deps: StoreDeps): StateCreator<AppState, [], [], AppsSlice> {
  return (set, get) => {
    // This domain's events, from the start: every page follows them (store/app-store.ts says how slices wire events).
    deps.api.apps.onDidChangeStatus((status) => get().receiveAppStatus(status));
    deps.api.apps.onDidYamlProgress((progress) => get().receiveYamlProgress(progress));
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const fail = (error: unknown) => set({ appsError: AppError.from(error).toJSON() });

    const scaleNow = async (key: string, deployment: string, replicas: number) => {
      const status = get().appInstances[key];
      const pendingKey = `${key}#${deployment}`;
      if (!status) return;
      try {
        await deps.api.apps.scale(status.context, status.namespace, status.instance, deployment, replicas);
        // Until the watch reports it, the cluster's desired count is the one just set.
        const current = get().appInstances[key];
        if (current && get().pendingReplicas[pendingKey] === replicas) {
          set({
            appInstances: {
              ...get().appInstances,
              [key]: { ...current, deployments: current.deployments.map((d) => (d.name === deployment ? { ...d, desired: replicas } : d)) },
            },
          });
        }
      } catch (error) {
        fail(error);
      } finally {
        if (get().pendingReplicas[pendingKey] === replicas && !timers.has(pendingKey)) {
          const { [pendingKey]: _done, ...rest } = get().pendingReplicas;
          set({ pendingReplicas: rest });
        }
      }
    };

    return {
      appsCatalog: undefined,
      appsError: undefined,
      appInstances: {},
      pendingReplicas: {},
      deploy: undefined,
      yaml: { phase: 'idle' },
      yamlDraft: { text: '', namespace: 'default', createNamespaces: [] },

      loadAppsCatalog: async () => {
        try {
          set({ appsCatalog: await deps.api.apps.catalog() });
        } catch (error) {
          fail(error);
        }
      },

      loadAppInstances: async (context) => {
        try {
          const list = await deps.api.apps.list(context);
          const others = Object.fromEntries(Object.entries(get().appInstances).filter(([, status]) => status.context !== context));
          set({
            appInstances: { ...others, ...Object.fromEntries(list.map((status) => [instanceKey(status), status])) },
            appsError: undefined,
          });
          await Promise.all(
            list.map((status) => deps.api.apps.follow(status.context, status.namespace, status.instance).then(get().receiveAppStatus)),
          );
        } catch (error) {
          fail(error);
        }
      },

      receiveAppStatus: (status) => {
        const key = instanceKey(status);
        // A status of an instance uninstalled meanwhile must not bring it back.
        if (!(key in get().appInstances)) return;
        set({ appInstances: { ...get().appInstances, [key]: status } });
      },

      openDeploy: (appId) => set({ deploy: { phase: 'editing', appId } }),
      closeDeploy: () => set({ deploy: undefined }),

      preflightDeploy: async (request) => {
        set({ deploy: { phase: 'checking', appId: request.appId } });
        try {
          const preflight = await deps.api.apps.preflight(request);
          set({ deploy: { phase: 'checked', appId: request.appId, preflight } });
        } catch (error) {
          set({ deploy: { phase: 'failed', appId: request.appId, error: AppError.from(error).toJSON() } });
        }
      },

      installApp: async (request) => {
        const before = get().deploy;
        set({
          deploy: { phase: 'installing', appId: request.appId, ...(before?.phase === 'checked' ? { preflight: before.preflight } : {}) },
        });
        try {
          const result = await deps.api.apps.install(request);
          if (result.status === 'refused') {
            set({ deploy: { phase: 'refused', appId: request.appId, preflight: result.preflight } });
            return;
          }
          // The Pods view then opens on what was just deployed.
          set({
            deploy: undefined,
            appInstances: { ...get().appInstances, [instanceKey(result.app)]: result.app },
            podsContext: request.context,
            podsNamespace: request.namespace,
          });
          get().receiveAppStatus(await deps.api.apps.follow(request.context, request.namespace, request.instance));
        } catch (error) {
          set({ deploy: { phase: 'failed', appId: request.appId, error: AppError.from(error).toJSON() } });
        }
      },

      setReplicas: (key, deployment, replicas) => {
        const pendingKey = `${key}#${deployment}`;
        set({ pendingReplicas: { ...get().pendingReplicas, [pendingKey]: replicas } });
        const previous = timers.get(pendingKey);
        if (previous !== undefined) clearTimeout(previous);
        timers.set(
          pendingKey,
          setTimeout(() => {
            timers.delete(pendingKey);
            void scaleNow(key, deployment, replicas);
          }, SCALE_DEBOUNCE_MS),
        );
      },

      uninstallApp: async (key) => {
        const status = get().appInstances[key];
        if (!status) return;
        try {
          await deps.api.apps.uninstall(status.context, status.namespace, status.instance);
          const { [key]: _gone, ...rest } = get().appInstances;
          set({ appInstances: rest, appsError: undefined });
        } catch (error) {
          fail(error);
        }
      },

      editYamlDraft: (patch) => {
        const draft = { ...get().yamlDraft, ...patch };
        const yaml = get().yaml;
        set({ yamlDraft: draft, ...(yaml.phase === 'failed' && !sameDraft(yaml.run.draft, draft) ? { yaml: { phase: 'idle' } } : {}) });
      },

      runYaml: async (context, mode) => {
        const draft = get().yamlDraft;
        const run: YamlRun = { draft, dryRun: mode === 'dry-run' };
        const operationId = globalThis.crypto.randomUUID();
        set({ yaml: { phase: 'running', run, operationId, cancelling: false } });
        const request = {
          context,
          namespace: draft.namespace,
          yaml: draft.text,
          operationId,
          ...(draft.createNamespaces.length > 0 ? { createNamespaces: draft.createNamespaces } : {}),
        };
        try {
          const result =
            mode === 'dry-run'
              ? await deps.api.apps.dryRunYaml(request)
              : await deps.api.apps.applyYaml({ ...request, force: mode === 'force-apply' });
          set({ yaml: { phase: 'done', run, result } });
        } catch (error) {
          set({ yaml: { phase: 'failed', run, error: AppError.from(error).toJSON() } });
        }
      },

      receiveYamlProgress: (progress) => {
        const yaml = get().yaml;
        if (yaml.phase !== 'running' || yaml.operationId !== progress.operationId) return;
        const { done, total, current } = progress;
        set({ yaml: { ...yaml, progress: { done, total, ...(current === undefined ? {} : { current }) } } });
      },

      cancelYaml: async () => {
        const yaml = get().yaml;
        if (yaml.phase !== 'running') return;
        set({ yaml: { ...yaml, cancelling: true } });
        try {
          await deps.api.apps.cancelYaml(yaml.operationId);
        } catch (error) {
          fail(error);
        }
      },

      resetYaml: () => set({ yaml: { phase: 'idle' } }),
      dismissAppsError: () => set({ appsError: undefined }),
    };
  };
}
