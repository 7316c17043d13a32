/**
 * `npm run lab:sim`: a simulated lab for development and demos. Starts a real Kubernetes 1.20
 * control plane on loopback with simulated nodes (no real kubelets, no containers: pods only show
 * as Running; simulated kubelet endpoints answer logs, exec and port-forward), writes a kubeconfig
 * to a stable path and waits for Ctrl-C.
 *
 *   npm run lab:sim -- --control-planes 1 --linux-workers 2 --windows-workers 1
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureControlPlaneBinaries, nestlabCacheDir } from '../tests/harness/binaries.js';
import { startControlPlane } from '../tests/harness/control-plane.js';
import type { ControlPlane } from '../tests/harness/control-plane.js';
import { writeKubeconfig } from '../tests/harness/kubeconfig.js';
import { labNodeSpecs, startSimulatedNodes } from '../tests/harness/simulated-nodes.js';
import type { SimulatedNodes } from '../tests/harness/simulated-nodes.js';

const USAGE = `Usage: npm run lab:sim -- [--control-planes N] [--linux-workers N] [--windows-workers N] [--kubeconfig PATH]
Defaults: 1 control-plane node, 2 Linux workers, 1 Windows worker,
kubeconfig at ${join(nestlabCacheDir(), 'lab-sim', 'kubeconfig')}.`;

function count(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 500) {
    throw new Error(`--${flag} must be a whole number from 0 to 500, got "${value}"\n${USAGE}`);
  }
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'control-planes': { type: 'string' },
      'linux-workers': { type: 'string' },
      'windows-workers': { type: 'string' },
      kubeconfig: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const shape = {
    controlPlanes: count(values['control-planes'], 1, 'control-planes'),
    linuxWorkers: count(values['linux-workers'], 2, 'linux-workers'),
    windowsWorkers: count(values['windows-workers'], 1, 'windows-workers'),
  };
  const kubeconfigPath = values.kubeconfig ?? join(nestlabCacheDir(), 'lab-sim', 'kubeconfig');

  console.log('[lab:sim] checking control-plane binaries (builds them on first run, 4-6 minutes)');
  const binaries = ensureControlPlaneBinaries();

  // Filled in as startup proceeds; shutdown stops whatever exists by then.
  const running: { controlPlane?: ControlPlane; simulation?: SimulatedNodes } = {};
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[lab:sim] ${signal}: stopping the simulated nodes and the control plane`);
    await running.simulation?.stop();
    await running.controlPlane?.stop();
    console.log('[lab:sim] stopped; no processes left');
    process.exit(0);
  };
  // Registered before starting so that Ctrl-C during startup also cleans up.
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  console.log('[lab:sim] starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler on 127.0.0.1');
  const controlPlane = await startControlPlane({
    binaries,
    onProgress: (step, ms) => console.log(`[lab:sim]   ${(ms / 1000).toFixed(1).padStart(5)} s  ${step}`),
  });
  console.log(`[lab:sim] control plane ready at ${controlPlane.server} in ${(controlPlane.startupMs / 1000).toFixed(1)} s`);

  running.controlPlane = controlPlane;
  const simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs(shape) });
  running.simulation = simulation;
  await writeKubeconfig(kubeconfigPath, controlPlane.admin, { cluster: 'nestlab-lab-sim', user: 'lab-sim-admin' });
  const viewerPath = `${kubeconfigPath}-viewer`;
  await writeKubeconfig(viewerPath, controlPlane.viewer, { cluster: 'nestlab-lab-sim', user: 'lab-sim-viewer' });

  console.log(`[lab:sim] simulated nodes registered (simulation: no real kubelets or containers run):`);
  for (const node of simulation.nodes) {
    console.log(
      `           ${node.name.padEnd(24)} ${node.os.padEnd(8)} ${node.role.padEnd(14)} pods ${node.podCidr.padEnd(15)} simulated kubelet 127.0.0.1:${node.kubeletPort}`,
    );
  }
  console.log(`
Point kubectl at it:
  export KUBECONFIG=${kubeconfigPath}
  kubectl get nodes -o wide
  kubectl logs / exec / port-forward work too: simulated kubelets generate logs, run exec as
  real processes on this machine (in a temporary folder per container) and forward ports to a
  small web page per pod.

Point Nestlab at it: Clusters -> Import kubeconfig -> ${kubeconfigPath}
A read-only (RBAC view) kubeconfig is at ${viewerPath}.
Control-plane folder (logs/): ${controlPlane.dir}
Press Ctrl-C to stop everything.`);
}

main().catch((error: unknown) => {
  console.error(`[lab:sim] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
