import type { StateCreator } from 'zustand';
import type {
  ConnectionStateChange,
  HostConnectionTestResult,
  HostInput,
  HostPatch,
  HostSummary,
  PreflightReport,
  PresentedHostKey,
  ProbeProgress,
  SecretStorageInfo,
} from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';

/** The last connection test of a host: running, or its result (a value, never a throw). */
export type HostCheck = { status: 'testing' } | { status: 'done'; result: HostConnectionTestResult };

/** A host's preflight: running (with its phase), finished with a report, failed or cancelled. */
export type ProbeState =
  | { status: 'running'; phase: ProbeProgress['phase'] }
  | { status: 'done'; report: PreflightReport }
  | { status: 'failed'; error: SerializedError };

/** First contact: the key the host presented, waiting for the user's Accept. Nothing runs until then. */
export interface HostKeyPrompt {
  hostId: string;
  key: PresentedHostKey;
  /** Set when accepting failed (the host now presents another key, or it went away). */
  error?: SerializedError;
  accepting?: boolean;
}

/** The outcome of saving the host form: the form keeps the typed values on failure. */
export type SaveHostResult = { ok: true; host: HostSummary } | { ok: false; error: SerializedError };

export interface HostsSlice {
  hosts: HostSummary[] | undefined;
  hostsError: SerializedError | undefined;
  secretStorage: SecretStorageInfo | undefined;
  /** Connection state by host id, from onDidChangeConnection. */
  connections: Record<string, ConnectionStateChange>;
  hostChecks: Record<string, HostCheck>;
  probes: Record<string, ProbeState>;
  hostKeyPrompt: HostKeyPrompt | undefined;
  loadHosts: () => Promise<void>;
  receiveHosts: (hosts: HostSummary[]) => void;
  receiveConnection: (change: ConnectionStateChange) => void;
  receiveProbeProgress: (progress: ProbeProgress) => void;
  /** Add (no id) or change a host; a new host is tested at once, so first contact shows its key. */
  saveHost: (save: { input: HostInput } | { hostId: string; patch: HostPatch }) => Promise<SaveHostResult>;
  testHost: (hostId: string) => Promise<void>;
  acceptHostKey: () => Promise<void>;
  dismissHostKeyPrompt: () => void;
  /** The explicit "Forget this host key", then a new test (which shows the new key to accept). */
  forgetHostKey: (hostId: string) => Promise<void>;
  /** After HOST_KEY_STORE_CORRUPT: start an empty host-key store; every host is then at first contact. */
  resetHostKeyStore: () => Promise<void>;
  probeHost: (hostId: string) => Promise<void>;
  cancelProbe: (hostId: string) => Promise<void>;
  removeHost: (hostId: string) => Promise<void>;
  dismissHostsError: () => void;
}

const serialize = (error: unknown): SerializedError => AppError.from(error).toJSON();

/** Drops one host's entry from a record keyed by host id. */
function without<T>(record: Record<string, T>, hostId: string): Record<string, T> {
  const next = { ...record };
  delete next[hostId];
  return next;
}

export function createHostsSlice(deps: StoreDeps): StateCreator<AppState, [], [], HostsSlice> {
  return (set, get) => {
    // This domain's events, from the start: every page follows them (store/app-store.ts says how slices wire events).
    deps.api.hosts.onDidChangeHosts((hosts) => get().receiveHosts(hosts));
    deps.api.hosts.onDidChangeConnection((change) => get().receiveConnection(change));
    deps.api.hosts.onDidProbeProgress((progress) => get().receiveProbeProgress(progress));
    const api = deps.api.hosts;
    const replaceHost = (host: HostSummary) => {
      const hosts = get().hosts ?? [];
      set({ hosts: hosts.some((h) => h.id === host.id) ? hosts.map((h) => (h.id === host.id ? host : h)) : [...hosts, host] });
    };
    const testHost = async (hostId: string) => {
      set({ hostChecks: { ...get().hostChecks, [hostId]: { status: 'testing' } } });
      let result: HostConnectionTestResult;
      try {
        result = await api.testConnection(hostId);
      } catch (error) {
        result = { ok: false, error: serialize(error) };
      }
      set({ hostChecks: { ...get().hostChecks, [hostId]: { status: 'done', result } } });
      const details = result.ok ? undefined : result.error.details;
      if (!result.ok && result.error.code === 'HOST_KEY_UNKNOWN' && typeof details?.fingerprint === 'string') {
        set({
          hostKeyPrompt: {
            hostId,
            key: { keyType: typeof details.keyType === 'string' ? details.keyType : 'unknown', fingerprint: details.fingerprint },
          },
        });
      }
    };
    return {
      hosts: undefined,
      hostsError: undefined,
      secretStorage: undefined,
      connections: {},
      hostChecks: {},
      probes: {},
      hostKeyPrompt: undefined,
      loadHosts: async () => {
        try {
          const [hosts, secretStorage] = await Promise.all([api.list(), api.secretStorage()]);
          set({ hosts, secretStorage });
        } catch (error) {
          set({ hostsError: serialize(error) });
        }
      },
      receiveHosts: (hosts) => set({ hosts }),
      receiveConnection: (change) => set({ connections: { ...get().connections, [change.hostId]: change } }),
      receiveProbeProgress: (progress) => {
        const probe: ProbeState | undefined =
          progress.phase === 'done' && progress.report
            ? { status: 'done', report: progress.report }
            : progress.phase === 'failed'
              ? { status: 'failed', error: progress.error ?? { code: 'INTERNAL', message: 'The preflight failed.' } }
              : progress.phase === 'done'
                ? undefined
                : { status: 'running', phase: progress.phase };
        if (probe) set({ probes: { ...get().probes, [progress.hostId]: probe } });
      },
      saveHost: async (save) => {
        try {
          const host = 'input' in save ? await api.add(save.input) : await api.update(save.hostId, save.patch);
          replaceHost(host);
          set({ hostsError: undefined });
          if ('input' in save || save.patch.address !== undefined || save.patch.port !== undefined || save.patch.auth !== undefined) {
            void testHost(host.id);
          }
          return { ok: true, host };
        } catch (error) {
          return { ok: false, error: serialize(error) };
        }
      },
      testHost,
      acceptHostKey: async () => {
        const prompt = get().hostKeyPrompt;
        if (!prompt || prompt.accepting) return;
        set({ hostKeyPrompt: { ...prompt, accepting: true, error: undefined } });
        try {
          replaceHost(await api.acceptHostKey(prompt.hostId, prompt.key.fingerprint));
          set({ hostKeyPrompt: undefined });
        } catch (error) {
          set({ hostKeyPrompt: { ...prompt, accepting: false, error: serialize(error) } });
          return;
        }
        await testHost(prompt.hostId);
      },
      dismissHostKeyPrompt: () => set({ hostKeyPrompt: undefined }),
      forgetHostKey: async (hostId) => {
        try {
          replaceHost(await api.forgetHostKey(hostId));
        } catch (error) {
          set({ hostsError: serialize(error) });
          return;
        }
        await testHost(hostId);
      },
      resetHostKeyStore: async () => {
        try {
          await api.resetHostKeyStore();
        } catch (error) {
          set({ hostsError: serialize(error) });
          return;
        }
        set({ hostsError: undefined, hostChecks: {} });
      },
      probeHost: async (hostId) => {
        set({ probes: { ...get().probes, [hostId]: { status: 'running', phase: 'connecting' } } });
        try {
          const report = await api.probe(hostId);
          set({ probes: { ...get().probes, [hostId]: { status: 'done', report } } });
        } catch (error) {
          set({ probes: { ...get().probes, [hostId]: { status: 'failed', error: serialize(error) } } });
        }
      },
      cancelProbe: async (hostId) => {
        try {
          await api.cancelProbe(hostId);
        } catch (error) {
          set({ hostsError: serialize(error) });
        }
      },
      removeHost: async (hostId) => {
        try {
          await api.remove(hostId);
        } catch (error) {
          set({ hostsError: serialize(error) });
          return;
        }
        set({
          hosts: (get().hosts ?? []).filter((host) => host.id !== hostId),
          connections: without(get().connections, hostId),
          hostChecks: without(get().hostChecks, hostId),
          probes: without(get().probes, hostId),
        });
      },
      dismissHostsError: () => set({ hostsError: undefined }),
    };
  };
}
