import type { StateCreator } from 'zustand';
import type { UpgradeRequest } from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';

/** Starting a lab's kubeadm upgrade (its progress is then the lab's operation). */
export interface LabUpgradeSlice {
  labUpgradesStarting: Record<string, true>;
  labUpgradeErrors: Record<string, SerializedError>;
  /** True when the upgrade started. */
  upgradeLab: (lab: string, request: UpgradeRequest) => Promise<boolean>;
  dismissLabUpgradeError: (lab: string) => void;
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

export function createLabUpgradeSlice(deps: StoreDeps): StateCreator<AppState, [], [], LabUpgradeSlice> {
  return (set, get) => ({
    labUpgradesStarting: {},
    labUpgradeErrors: {},
    upgradeLab: async (lab, request) => {
      set({ labUpgradesStarting: { ...get().labUpgradesStarting, [lab]: true }, labUpgradeErrors: without(get().labUpgradeErrors, lab) });
      try {
        get().receiveLab(await deps.api.labs.upgrade(lab, request));
        return true;
      } catch (error) {
        set({ labUpgradeErrors: { ...get().labUpgradeErrors, [lab]: AppError.from(error).toJSON() } });
        return false;
      } finally {
        set({ labUpgradesStarting: without(get().labUpgradesStarting, lab) });
      }
    },
    dismissLabUpgradeError: (lab) => set({ labUpgradeErrors: without(get().labUpgradeErrors, lab) }),
  });
}
