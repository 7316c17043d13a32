import { Dispatcher } from '../../../src/shared/rpc/dispatcher';
import { connectInMemory } from '../../../src/shared/rpc/in-memory';
import { createTestServices } from '../../doubles/test-services';
import { TerminalsService, type TerminalsServiceOptions } from '../../../src/main/terminals/terminals-service';
import { locateKubectl } from '../../../src/main/kubectl/kubectl-locator';
import { runProgram } from '../../../src/main/platform/run-program';
import type { ControlPlane } from '../../harness/index.js';
import { renderKubeconfig } from '../../harness/index.js';
import { TerminalClient } from './terminal-client';

/** Two contexts on the harness: an admin and a read-only viewer, each its own kubeconfig. */
export function harnessKubeconfigs(controlPlane: ControlPlane) {
  const yamls: Record<string, string> = {
    'lab-admin': renderKubeconfig(controlPlane.admin, { context: 'lab-admin', user: 'nestlab-admin' }),
    'lab-viewer': renderKubeconfig(controlPlane.viewer, { context: 'lab-viewer', user: 'nestlab-viewer' }),
  };
  return {
    kubeconfigYamlFor: (context: string) => {
      const yaml = yamls[context];
      return yaml === undefined ? Promise.reject(new Error(`no context ${context}`)) : Promise.resolve(yaml);
    },
  };
}

/**
 * The real terminals service behind the in-memory transport (every message goes through JSON,
 * as over WebSocket or IPC), with a client that acts like the renderer.
 */
export function connectTerminals(options: Partial<TerminalsServiceOptions>) {
  const service = new TerminalsService({
    locateKubectl: () => locateKubectl({ run: runProgram }),
    ...options,
  });
  const link = connectInMemory(new Dispatcher({ ...createTestServices(), terminals: service }));
  const client = new TerminalClient(link.api.terminals);
  return {
    service,
    api: link.api,
    client,
    async dispose() {
      client.dispose();
      link.close();
      await service.dispose();
    },
  };
}
