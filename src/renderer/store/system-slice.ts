import type { StateCreator } from 'zustand';
import type { SystemInfo } from '../../shared/contract';
import { AppError, type SerializedError } from '../../shared/errors';
import type { AppState, StoreDeps } from './app-store';

export interface SystemSlice {
  systemInfo: SystemInfo | undefined;
  systemError: SerializedError | undefined;
  loadSystemInfo: () => Promise<void>;
}

export function createSystemSlice(deps: StoreDeps): StateCreator<AppState, [], [], SystemSlice> {
  return (set) => ({
    systemInfo: undefined,
    systemError: undefined,
    loadSystemInfo: async () => {
      try {
        set({ systemInfo: await deps.api.system.info(), systemError: undefined });
      } catch (error) {
        set({ systemError: AppError.from(error).toJSON() });
      }
    },
  });
}
