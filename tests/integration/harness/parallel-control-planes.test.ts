import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../harness/control-plane.js';
import type { ControlPlane } from '../../harness/control-plane.js';
import { KubeRestClient } from '../../harness/kube-rest.js';
import { startSimulatedNodes } from '../../harness/simulated-nodes.js';
import type { SimulatedNodes } from '../../harness/simulated-nodes.js';
import type { ListOf, NodeView } from './kube-objects.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** PIDs of processes whose command line mentions `text` (e.g. a control plane's folder). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

describe('two control planes at once', () => {
  const started: ControlPlane[] = [];
  const simulations: SimulatedNodes[] = [];

  afterAll(async () => {
    for (const simulation of simulations) await simulation.stop();
    for (const controlPlane of started) await controlPlane.stop();
  });

  it('run side by side without colliding, each with its own simulated nodes, and leave no processes when stopped', async () => {
    const [first, second] = await Promise.all([startControlPlane(), startControlPlane()]);
    started.push(first, second);
    console.log(`[harness] two control planes ready in ${first.startupMs} ms and ${second.startupMs} ms`);
    expect(first.server).not.toBe(second.server);
    expect(first.dir).not.toBe(second.dir);

    simulations.push(
      await startSimulatedNodes(first.simulation, { nodes: [{ name: 'first-linux-1', os: 'linux' }] }),
      await startSimulatedNodes(second.simulation, { nodes: [{ name: 'second-windows-1', os: 'windows' }] }),
    );
    const nodeNames = async (controlPlane: ControlPlane): Promise<string[]> => {
      const rest = new KubeRestClient(controlPlane.admin);
      try {
        return (await rest.get<ListOf<NodeView>>('/api/v1/nodes')).items.map((n) => n.metadata.name);
      } finally {
        rest.close();
      }
    };
    expect(await nodeNames(first)).toEqual(['first-linux-1']);
    expect(await nodeNames(second)).toEqual(['second-windows-1']);

    // Each trusts only its own CA: the first's admin credentials fail against the second.
    const crossed = new KubeRestClient({ ...first.admin, server: second.server });
    await expect(crossed.get('/api/v1/nodes')).rejects.toThrow();
    crossed.close();

    const pids = [...first.pids(), ...second.pids()];
    expect(pids).toHaveLength(8); // etcd, kube-apiserver, kube-controller-manager, kube-scheduler, twice
    expect(pids.every(isAlive)).toBe(true);

    for (const simulation of simulations.splice(0)) await simulation.stop();
    await Promise.all(started.splice(0).map((controlPlane) => controlPlane.stop()));

    expect(pids.filter(isAlive)).toEqual([]);
    for (const controlPlane of [first, second]) {
      expect(existsSync(controlPlane.dir)).toBe(false);
      // Also catches the orphan watchdog, which is not among pids().
      expect(processesMentioning(controlPlane.dir)).toEqual([]);
      expect(controlPlane.pids()).toEqual([]);
    }
  });
});
