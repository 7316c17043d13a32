import type { KubectlStatus } from '../../shared/contract';
import type { RunProgram } from '../platform/run-program';
import { KubectlShelfService } from './kubectl-shelf';

export { parseClientVersion } from './kubectl-shelf';

export interface KubectlLocatorOptions {
  /** resources/bin of a packaged app, when it bundles kubectl. */
  bundledDir?: string;
  /** The PATH to search; the main process's own by default. */
  path?: string;
  platform?: NodeJS.Platform;
  run: RunProgram;
}

/**
 * Finds the kubectl Nestlab uses when nothing decides otherwise: the bundled one first, then PATH
 * (the default of a kubectl shelf without added ones). It only looks and asks the binary for its
 * version: it never downloads anything (offline labs must keep working).
 */
export function locateKubectl(options: KubectlLocatorOptions): Promise<KubectlStatus> {
  return new KubectlShelfService(options).defaultKubectl();
}
