import type { StateCreator } from 'zustand';
import type { EtcdSnapshotList, EtcdSnapshotRequest } from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';

/** A snapshot call in flight for a lab. */
export type EtcdSnapshotAction = 'loading' | 'saving' | 'restoring';

/** etcd snapshots per lab: the list read from the lab host, and save / restore (which run as lab operations). */
export interface EtcdSnapshotsSlice {
  etcdSnapshotLists: Record<string, EtcdSnapshotList>;
  etcdSnapshotActions: Record<string, EtcdSnapshotAction>;
  etcdSnapshotErrors: Record<string, SerializedError>;
  loadEtcdSnapshots: (lab: string) => Promise<void>;
  /** True when the save started (its progress is the lab's operation). */
  saveEtcdSnapshot: (lab: string, request: EtcdSnapshotRequest) => Promise<boolean>;
  /** True when the restore started. */
  restoreEtcdSnapshot: (lab: string, snapshot: string) => Promise<boolean>;
  dismissEtcdSnapshotError: (lab: string) => void;
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

export function createEtcdSnapshotsSlice(deps: StoreDeps): StateCreator<AppState, [], [], EtcdSnapshotsSlice> {
  return (set, get) => {
    const api = deps.api.labs;
    /** Runs one call for a lab: marks it busy, keeps its error for the panel. */
    const act = async <T>(lab: string, action: EtcdSnapshotAction, call: () => Promise<T>): Promise<T | undefined> => {
      set({
        etcdSnapshotActions: { ...get().etcdSnapshotActions, [lab]: action },
        etcdSnapshotErrors: without(get().etcdSnapshotErrors, lab),
      });
      try {
        return await call();
      } catch (error) {
        set({ etcdSnapshotErrors: { ...get().etcdSnapshotErrors, [lab]: AppError.from(error).toJSON() } });
        return undefined;
      } finally {
        set({ etcdSnapshotActions: without(get().etcdSnapshotActions, lab) });
      }
    };
    return {
      etcdSnapshotLists: {},
      etcdSnapshotActions: {},
      etcdSnapshotErrors: {},
      loadEtcdSnapshots: async (lab) => {
        const list = await act(lab, 'loading', () => api.etcdSnapshots(lab));
        if (list) set({ etcdSnapshotLists: { ...get().etcdSnapshotLists, [lab]: list } });
      },
      saveEtcdSnapshot: async (lab, request) => {
        const summary = await act(lab, 'saving', () => api.saveEtcdSnapshot(lab, request));
        if (summary) get().receiveLab(summary);
        return summary !== undefined;
      },
      restoreEtcdSnapshot: async (lab, snapshot) => {
        const summary = await act(lab, 'restoring', () => api.restoreEtcdSnapshot(lab, snapshot));
        if (summary) get().receiveLab(summary);
        return summary !== undefined;
      },
      dismissEtcdSnapshotError: (lab) => set({ etcdSnapshotErrors: without(get().etcdSnapshotErrors, lab) }),
    };
  };
}
