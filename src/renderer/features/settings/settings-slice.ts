import type { StateCreator } from 'zustand';
import type { Settings, SettingsState } from '../../../shared/contract';
import type { SerializedError } from '../../../shared/errors';
import { AppError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';

export interface SettingsSlice {
  settings: SettingsState | undefined;
  settingsError: SerializedError | undefined;
  /** The load problem the user has dismissed, so it is not shown again this session. */
  dismissedLoadProblem: boolean;
  loadSettings: () => Promise<void>;
  /** Saves a change; resolves false (with settingsError set) when the main process refused it. */
  updateSettings: (patch: Partial<Settings>) => Promise<boolean>;
  resetSettings: () => Promise<void>;
  receiveSettings: (state: SettingsState) => void;
  dismissLoadProblem: () => void;
}

export function createSettingsSlice(deps: StoreDeps): StateCreator<AppState, [], [], SettingsSlice> {
  return (set, get) => {
    // This domain's events, from the start: every page follows them (store/app-store.ts says how slices wire events).
    deps.api.settings.onDidChange((settings) => get().receiveSettings(settings));
    return {
      settings: undefined,
      settingsError: undefined,
      dismissedLoadProblem: false,
      loadSettings: async () => {
        try {
          set({ settings: await deps.api.settings.get(), settingsError: undefined });
        } catch (error) {
          set({ settingsError: AppError.from(error).toJSON() });
        }
      },
      updateSettings: async (patch) => {
        // Optimistic: the change shows at once (a theme click must not wait for a disk write)
        // and is rolled back if the main process refuses it.
        const before = get().settings;
        if (before) set({ settings: { ...before, values: { ...before.values, ...patch } } });
        try {
          set({ settings: await deps.api.settings.update(patch), settingsError: undefined });
          return true;
        } catch (error) {
          set({ settings: before, settingsError: AppError.from(error).toJSON() });
          return false;
        }
      },
      resetSettings: async () => {
        try {
          set({ settings: await deps.api.settings.reset(), settingsError: undefined });
        } catch (error) {
          set({ settingsError: AppError.from(error).toJSON() });
        }
      },
      receiveSettings: (settings) => set({ settings }),
      dismissLoadProblem: () => set({ dismissedLoadProblem: true }),
    };
  };
}
