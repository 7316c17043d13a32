import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../harness/control-plane.js';
import type { ControlPlane } from '../../harness/control-plane.js';
import { KubeRestClient } from '../../harness/kube-rest.js';
import { startSimulatedNodes } from '../../harness/simulated-nodes.js';
import type { SimulatedNodes } from '../../harness/simulated-nodes.js';
import { waitFor } from '../../harness/wait-for.js';
import { conditionStatus, deployment } from './kube-objects.js';
import type { ListOf, NodeView, PodView } from './kube-objects.js';

describe('node failure and API server restart (simulated kubelets)', () => {
  let controlPlane: ControlPlane;
  let simulation: SimulatedNodes;
  let rest: KubeRestClient;

  beforeAll(async () => {
    controlPlane = await startControlPlane();
    simulation = await startSimulatedNodes(controlPlane.simulation, {
      nodes: [
        { name: 'sim-linux-1', os: 'linux' },
        { name: 'sim-linux-2', os: 'linux' },
      ],
    });
    rest = new KubeRestClient(controlPlane.admin);
  });

  afterAll(async () => {
    rest?.close();
    await simulation?.stop();
    await controlPlane?.stop();
  });

  const readyStatus = async (name: string): Promise<string | undefined> =>
    conditionStatus(await rest.get<NodeView>(`/api/v1/nodes/${name}`), 'Ready');

  it('marks a failed node NotReady through the real node lifecycle controller, and Ready once recovered (simulated kubelets)', async () => {
    expect(await readyStatus('sim-linux-1')).toBe('True');
    const failedAt = Date.now();
    simulation.failNode('sim-linux-1');
    // --node-monitor-grace-period=16s: the controller sets Ready=Unknown ("Kubelet stopped posting node status").
    await waitFor(async () => (await readyStatus('sim-linux-1')) === 'Unknown', {
      timeout: 45_000,
      interval: 500,
      description: 'sim-linux-1 to turn NotReady (Ready=Unknown)',
    });
    console.log(`[harness] failed node NotReady after ${Date.now() - failedAt} ms`);
    expect(await readyStatus('sim-linux-2')).toBe('True');

    await simulation.recoverNode('sim-linux-1');
    await waitFor(async () => (await readyStatus('sim-linux-1')) === 'True', {
      timeout: 20_000,
      description: 'sim-linux-1 to be Ready again',
    });
    // The controller removes its unreachable taints once the node is Ready again.
    await waitFor(async () => ((await rest.get<NodeView>('/api/v1/nodes/sim-linux-1')).spec.taints ?? []).length === 0, {
      timeout: 20_000,
      description: 'the unreachable taints to be removed from sim-linux-1',
    });
  });

  it('keeps running pods after kube-apiserver is stopped and started again on the same port (simulated kubelets)', async () => {
    const server = controlPlane.server;
    await controlPlane.stopApiServer();
    await expect(rest.get('/readyz')).rejects.toThrow();
    await controlPlane.startApiServer();
    expect(controlPlane.server).toBe(server);

    // The simulation's watches broke with the restart; new pods turning Running shows they re-listed.
    await rest.post('/apis/apps/v1/namespaces/default/deployments', deployment('after-restart', 2, { 'kubernetes.io/os': 'linux' }));
    await waitFor(
      async () => {
        const pods = (await rest.get<ListOf<PodView>>('/api/v1/namespaces/default/pods?labelSelector=app%3Dafter-restart')).items;
        return pods.length === 2 && pods.every((p) => p.status.phase === 'Running');
      },
      { timeout: 45_000, description: '2 Running pods of Deployment after-restart' },
    );
  });
});
