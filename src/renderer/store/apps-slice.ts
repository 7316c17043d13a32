import type { StateCreator } from 'zustand';
import type { AppInstanceStatus, Catalog, DeployRequest, PreflightResult, YamlApplyResult } from '../../shared/contract';
import { AppError, type SerializedError } from '../../shared/errors';
import type { AppState, StoreDeps } from './app-store';

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

export type YamlState =
  | { phase: 'idle' }
  | { phase: 'running'; dryRun: boolean }
  | { phase: 'done'; result: YamlApplyResult; text: string }
  | { phase: 'failed'; error: SerializedError };

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
  runYaml: (request: { context: string; namespace: string; yaml: string }, mode: 'dry-run' | 'apply' | 'force-apply') => Promise<void>;
  resetYaml: () => void;
  dismissAppsError: () => void;
}

export function createAppsSlice(deps: StoreDeps): StateCreator<AppState, [], [], AppsSlice> {
  return (set, get) => {
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
          set({ deploy: undefined, appInstances: { ...get().appInstances, [instanceKey(result.app)]: result.app } });
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

      runYaml: async (request, mode) => {
        set({ yaml: { phase: 'running', dryRun: mode === 'dry-run' } });
        try {
          const result =
            mode === 'dry-run'
              ? await deps.api.apps.dryRunYaml(request)
              : await deps.api.apps.applyYaml({ ...request, force: mode === 'force-apply' });
          set({ yaml: { phase: 'done', result, text: request.yaml } });
        } catch (error) {
          set({ yaml: { phase: 'failed', error: AppError.from(error).toJSON() } });
        }
      },

      resetYaml: () => set({ yaml: { phase: 'idle' } }),
      dismissAppsError: () => set({ appsError: undefined }),
    };
  };
}
