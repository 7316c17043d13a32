/**
 * Builds every service. Both composition roots (the Electron entry and the browser-mode
 * server) call this and bind the result to their transport; nothing else wires services.
 */
import type { RuntimeMode, Services } from '../shared/contract';
import { ClustersService } from './clusters/clusters-service';
import { locateKubectl } from './kubectl/kubectl-locator';
import { runProgram } from './platform/run-program';
import { MemorySecretStore } from './secrets/memory-secret-store';
import type { SecretStore } from './secrets/secret-store';
import { FileSettingsService } from './settings/settings-service';
import { NodeSystemService } from './system/system-service';

export interface ServiceOptions {
  mode: RuntimeMode;
  appVersion: string;
  /** Folder for settings and other state. */
  dataDir: string;
  /** resources/bin of a packaged app (bundled kubectl), if any. */
  bundledBinDir?: string;
  /** Where credentials (kubeconfig tokens, keys) are kept; default: in memory (browser mode). */
  secrets?: SecretStore;
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
    clusters: new ClustersService({ dataDir: options.dataDir, secrets: options.secrets ?? new MemorySecretStore() }),
  };
}
