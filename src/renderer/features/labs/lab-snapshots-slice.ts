import type { StateCreator } from 'zustand';
import type { LabSnapshotList } from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';

/** A lab snapshot call in flight for a lab. */
export type LabSnapshotAction = 'loading' | 'saving' | 'reverting' | 'deleting';

/** Lab snapshots per lab: the list read from the hypervisor, and snapshot / revert (lab operations) and delete. */
export interface LabSnapshotsSlice {
  labSnapshotLists: Record<string, LabSnapshotList>;
  labSnapshotActions: Record<string, LabSnapshotAction>;
  labSnapshotErrors: Record<string, SerializedError>;
  loadLabSnapshots: (lab: string) => Promise<void>;
  /** True when the snapshot started (its progress is the lab's operation). */
  saveLabSnapshot: (lab: string) => Promise<boolean>;
  /** True when the revert started. */
  revertLabSnapshot: (lab: string, snapshot: string) => Promise<boolean>;
  deleteLabSnapshot: (lab: string, snapshot: string) => Promise<void>;
  dismissLabSnapshotError: (lab: string) => void;
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

export function createLabSnapshotsSlice(deps: StoreDeps): StateCreator<AppState, [], [], LabSnapshotsSlice> {
  return (set, get) => {
    const api = deps.api.labs;
    /** Runs one call for a lab: marks it busy, keeps its error for the panel. */
    const act = async <T>(lab: string, action: LabSnapshotAction, call: () => Promise<T>): Promise<T | undefined> => {
      set({
        labSnapshotActions: { ...get().labSnapshotActions, [lab]: action },
        labSnapshotErrors: without(get().labSnapshotErrors, lab),
      });
      try {
        return await call();
      } catch (error) {
        set({ labSnapshotErrors: { ...get().labSnapshotErrors, [lab]: AppError.from(error).toJSON() } });
        return undefined;
      } finally {
        set({ labSnapshotActions: without(get().labSnapshotActions, lab) });
      }
    };
    const keep = (lab: string, list: LabSnapshotList | undefined) => {
      if (list) set({ labSnapshotLists: { ...get().labSnapshotLists, [lab]: list } });
    };
    return {
      labSnapshotLists: {},
      labSnapshotActions: {},
      labSnapshotErrors: {},
      loadLabSnapshots: async (lab) => keep(lab, await act(lab, 'loading', () => api.labSnapshots(lab))),
      saveLabSnapshot: async (lab) => {
        const summary = await act(lab, 'saving', () => api.saveLabSnapshot(lab));
        if (summary) get().receiveLab(summary);
        return summary !== undefined;
      },
      revertLabSnapshot: async (lab, snapshot) => {
        const summary = await act(lab, 'reverting', () => api.revertLabSnapshot(lab, snapshot));
        if (summary) get().receiveLab(summary);
        return summary !== undefined;
      },
      deleteLabSnapshot: async (lab, snapshot) => keep(lab, await act(lab, 'deleting', () => api.deleteLabSnapshot(lab, snapshot))),
      dismissLabSnapshotError: (lab) => set({ labSnapshotErrors: without(get().labSnapshotErrors, lab) }),
    };
  };
}
