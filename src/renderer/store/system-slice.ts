import type { StateCreator } from 'zustand';
import type { KubectlShelf, SystemInfo } from '../../shared/contract';
import { AppError, type SerializedError } from '../../shared/errors';
import type { AppState, StoreDeps } from './app-store';

export interface SystemSlice {
  systemInfo: SystemInfo | undefined;
  systemError: SerializedError | undefined;
  loadSystemInfo: () => Promise<void>;
  /** The kubectl versions terminals choose from (Settings lists them). */
  kubectlShelf: KubectlShelf | undefined;
  /** The last failure of reading or changing the shelf (a refused file names itself here). */
  kubectlShelfError: SerializedError | undefined;
  kubectlShelfBusy: boolean;
  loadKubectlShelf: () => Promise<void>;
  /** Adds a kubectl from a path on this computer; true when it was added. */
  addKubectl: (path: string) => Promise<boolean>;
  removeKubectl: (path: string) => Promise<void>;
}

export function createSystemSlice(deps: StoreDeps): StateCreator<AppState, [], [], SystemSlice> {
  return (set, get) => {
    /** Runs a shelf call; the new shelf replaces the old, a failure is kept to show. */
    const changeShelf = async (call: () => Promise<KubectlShelf>): Promise<boolean> => {
      set({ kubectlShelfBusy: true, kubectlShelfError: undefined });
      try {
        set({ kubectlShelf: await call(), kubectlShelfBusy: false });
        return true;
      } catch (error) {
        set({ kubectlShelfError: AppError.from(error).toJSON(), kubectlShelfBusy: false });
        return false;
      }
    };
    return {
      systemInfo: undefined,
      systemError: undefined,
      loadSystemInfo: async () => {
        try {
          set({ systemInfo: await deps.api.system.info(), systemError: undefined });
        } catch (error) {
          set({ systemError: AppError.from(error).toJSON() });
        }
      },
      kubectlShelf: undefined,
      kubectlShelfError: undefined,
      kubectlShelfBusy: false,
      loadKubectlShelf: async () => {
        await changeShelf(() => deps.api.system.kubectlShelf());
      },
      addKubectl: async (path) => {
        const added = await changeShelf(() => deps.api.system.addKubectl(path));
        // The default kubectl (status bar, About) may have changed with it.
        if (added) await get().loadSystemInfo();
        return added;
      },
      removeKubectl: async (path) => {
        if (await changeShelf(() => deps.api.system.removeKubectl(path))) await get().loadSystemInfo();
      },
    };
  };
}
