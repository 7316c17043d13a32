/**
 * Builds every service. Both composition roots (the Electron entry and the browser-mode
 * server) call this and bind the result to their transport; nothing else wires services.
 */
import type { RuntimeMode, Services } from '../shared/contract';
import { locateKubectl } from './kubectl/kubectl-locator';
import { runProgram } from './platform/run-program';
import { FileSettingsService } from './settings/settings-service';
import { NodeSystemService } from './system/system-service';

export interface ServiceOptions {
  mode: RuntimeMode;
  appVersion: string;
  /** Folder for settings and other state. */
  dataDir: string;
  /** resources/bin of a packaged app (bundled kubectl), if any. */
  bundledBinDir?: string;
}

export function createServices(options: ServiceOptions): Services {
  return {
    system: new NodeSystemService({
      appName: 'Nestlab',
      appVersion: options.appVersion,
      mode: options.mode,
      locateKubectl: () => locateKubectl({ bundledDir: options.bundledBinDir, run: runProgram }),
    }),
    settings: new FileSettingsService(options.dataDir),
  };
}
