import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../harness/control-plane.js';
import type { ControlPlane } from '../../harness/control-plane.js';
import { KubeRestClient } from '../../harness/kube-rest.js';
import { startSimulatedNodes } from '../../harness/simulated-nodes.js';
import type { SimulatedNodes } from '../../harness/simulated-nodes.js';
import { waitFor } from '../../harness/wait-for.js';
import type { ListOf, NodeView } from './kube-objects.js';

/** True while `pid` runs; a zombie (exited, not yet reaped by init) counts as gone. */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
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
  let first: ControlPlane;
  let second: ControlPlane;

  // Started in a hook: two at once on a 2-core machine take longer than one test's timeout allows.
  beforeAll(async () => {
    const results = await Promise.allSettled([startControlPlane(), startControlPlane()]);
    for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
    for (const result of results) if (result.status === 'rejected') throw result.reason;
    [first, second] = started as [ControlPlane, ControlPlane];
  });
  const simulations: SimulatedNodes[] = [];

  afterAll(async () => {
    for (const simulation of simulations) await simulation.stop();
    for (const controlPlane of started) await controlPlane.stop();
  });

  it('run side by side without colliding, each with its own simulated nodes, and leave no processes when stopped', async () => {
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

  it('leaves no orphans when the process that started a control plane is SIGKILLed', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/abandoned-control-plane.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout });
    const started = await new Promise<{ dir: string; pids: number[] }>((resolve, reject) => {
      lines.once('line', (line) => resolve(JSON.parse(line) as { dir: string; pids: number[] }));
      child.once('exit', (code) => reject(new Error(`fixture exited with ${String(code)} before starting`)));
    });
    lines.close();
    expect(started.pids).toHaveLength(4);
    expect(started.pids.every(isAlive)).toBe(true);

    child.kill('SIGKILL');
    // The watchdog polls its parent once a second.
    await waitFor(() => started.pids.every((pid) => !isAlive(pid)) && !existsSync(started.dir), {
      timeout: 15_000,
      description: `the watchdog to kill ${started.pids.join(', ')} and remove ${started.dir}`,
    });
    expect(processesMentioning(started.dir)).toEqual([]);
  }, 120_000);
});
