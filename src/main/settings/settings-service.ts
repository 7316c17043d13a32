import { join } from 'node:path';
import { Emitter } from '../../shared/event';
import type { Settings, SettingsService as SettingsContract, SettingsState } from '../../shared/contract';
import { defaultSettings } from '../../shared/schemas/settings';
import { loadSettings, saveSettings } from './settings-store';

/**
 * Settings kept in `<dataDir>/settings.json`. Loaded once, lazily; writes are serialized so two
 * quick updates cannot interleave on disk.
 */
export class SettingsService implements SettingsContract {
  private readonly changed = new Emitter<SettingsState>();
  readonly onDidChange = this.changed.event;
  private readonly path: string;
  private state: Promise<SettingsState> | undefined;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.path = join(dataDir, 'settings.json');
  }

  get(): Promise<SettingsState> {
    this.state ??= loadSettings(this.path).then(({ values, problem }) => (problem ? { values, loadProblem: problem } : { values }));
    return this.state;
  }

  update(patch: Partial<Settings>): Promise<SettingsState> {
    return this.write((current) => ({ ...current, ...patch }));
  }

  reset(): Promise<SettingsState> {
    return this.write(() => ({ ...defaultSettings }));
  }

  private write(next: (current: Settings) => Settings): Promise<SettingsState> {
    const run = this.writes.then(async () => {
      const current = await this.get();
      const values = next(current.values);
      await saveSettings(this.path, values);
      // The load problem stays visible until the user has seen it; a successful write keeps it.
      const state: SettingsState = current.loadProblem ? { values, loadProblem: current.loadProblem } : { values };
      this.state = Promise.resolve(state);
      this.changed.fire(state);
      return state;
    });
    this.writes = run.catch(() => undefined);
    return run;
  }
}
