import type { Event } from '../event';
import type { SerializedError } from '../errors';
import { domainNames } from './names';

export type ThemePreference = 'system' | 'light' | 'dark';

/** User preferences, persisted in the user data folder. */
export interface Settings {
  /** Colour theme; "system" follows the OS. */
  theme: ThemePreference;
  /** Font size of embedded terminals, in CSS pixels. */
  terminalFontSize: number;
  /** Lines of scrollback each terminal keeps. */
  terminalScrollback: number;
  /**
   * A lab registry mirror (host[:port][/path]) that catalog images are rewritten to, for offline
   * labs. Empty means images are pulled from where the catalog says.
   */
  registryMirror: string;
}

/** The settings and, when the stored file could not be used, what happened to it. */
export interface SettingsState {
  values: Settings;
  /**
   * Set when the stored file was unreadable or invalid at load: it was kept aside
   * (details.backupPath) and defaults (or the valid part) were loaded. FILE_CORRUPT.
   */
  loadProblem?: SerializedError;
}

/** Reads and changes the user's settings. */
export interface SettingsService {
  /** The current settings. */
  get(): Promise<SettingsState>;
  /** Changes some settings, writes them atomically, and returns the new state. */
  update(patch: Partial<Settings>): Promise<SettingsState>;
  /** Puts every setting back to its default. */
  reset(): Promise<SettingsState>;
  /** Fires after every successful change, from any window. */
  onDidChange: Event<SettingsState>;
}

export const settingsNames = domainNames<SettingsService>()({
  methods: ['get', 'update', 'reset'],
  events: ['onDidChange'],
});
