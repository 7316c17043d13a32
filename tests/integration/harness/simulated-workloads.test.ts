import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../harness/control-plane.js';
import type { ControlPlane } from '../../harness/control-plane.js';
import { KubeRestClient } from '../../harness/kube-rest.js';
import { runKubectl } from '../../harness/kubectl.js';
import { labNodeSpecs, startSimulatedNodes } from '../../harness/simulated-nodes.js';
import type { SimulatedNodes } from '../../harness/simulated-nodes.js';
import { waitFor } from '../../harness/wait-for.js';
import { readyEndpointAddresses } from './endpoint-slices.js';
import { conditionStatus, deployment } from './kube-objects.js';
import type { ListOf, NodeView, PodView } from './kube-objects.js';

const NS = 'default';

describe('test control plane with simulated kubelets', () => {
  let controlPlane: ControlPlane;
  let simulation: SimulatedNodes;
  let rest: KubeRestClient;

  beforeAll(async () => {
    controlPlane = await startControlPlane();
    console.log(`[harness] control plane ready in ${controlPlane.startupMs} ms`);
    simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
    rest = new KubeRestClient(controlPlane.admin);
  });

  afterAll(async () => {
    rest?.close();
    await simulation?.stop();
    await controlPlane?.stop();
  });

  const podsOf = async (app: string): Promise<PodView[]> =>
    (await rest.get<ListOf<PodView>>(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`)).items;
  const linuxNodes = (): string[] => simulation.nodes.filter((n) => n.os === 'linux' && n.role === 'worker').map((n) => n.name);

  it('registers Ready Linux and Windows nodes with realistic labels, taints and nodeInfo (simulated kubelets)', async () => {
    const nodes = (await rest.get<ListOf<NodeView>>('/api/v1/nodes')).items;
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual(['sim-control-plane-1', 'sim-linux-1', 'sim-linux-2', 'sim-windows-1']);
    for (const node of nodes) expect(conditionStatus(node, 'Ready')).toBe('True');
    const windows = nodes.find((n) => n.metadata.name === 'sim-windows-1');
    expect(windows?.metadata.labels).toMatchObject({
      'kubernetes.io/os': 'windows',
      'kubernetes.io/arch': 'amd64',
      'node.kubernetes.io/windows-build': '10.0.17763',
    });
    expect(windows?.status.nodeInfo).toMatchObject({ operatingSystem: 'windows', kubeletVersion: 'v1.20.2' });
    const controlPlaneNode = nodes.find((n) => n.metadata.name === 'sim-control-plane-1');
    expect(controlPlaneNode?.metadata.labels).toHaveProperty(['node-role.kubernetes.io/control-plane']);
    expect(controlPlaneNode?.spec.taints).toContainEqual({ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' });
  });

  it('runs a 3-replica Deployment on Linux nodes with EndpointSlices listing its pods (simulated kubelets)', async () => {
    const startedAt = Date.now();
    await rest.post(`/apis/apps/v1/namespaces/${NS}/deployments`, deployment('web', 3, { 'kubernetes.io/os': 'linux' }));
    await rest.post(`/api/v1/namespaces/${NS}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] },
    });
    const pods = await waitFor(
      async () => {
        const current = await podsOf('web');
        return current.length === 3 && current.every((p) => p.status.phase === 'Running') ? current : undefined;
      },
      { timeout: 45_000, description: '3 Running pods of Deployment web' },
    );
    console.log(`[harness] 3 pods Running ${Date.now() - startedAt} ms after the Deployment was created`);

    for (const pod of pods) {
      expect(linuxNodes()).toContain(pod.spec.nodeName);
      expect(conditionStatus(pod, 'Ready')).toBe('True');
      expect(pod.status.podIP).toMatch(/^10\.244\.\d+\.\d+$/);
      expect(pod.status.containerStatuses?.[0]).toMatchObject({ name: 'web', ready: true, started: true });
    }
    const podIps = pods.map((p) => p.status.podIP ?? '').sort();
    expect(new Set(podIps).size).toBe(3);
    const addresses = await waitFor(
      async () => {
        const current = await readyEndpointAddresses(rest, NS, 'web');
        return current.length === 3 ? current : undefined;
      },
      { timeout: 30_000, description: 'EndpointSlices of Service web listing 3 ready addresses' },
    );
    expect(addresses).toEqual(podIps);
  });

  it('schedules a pod selecting kubernetes.io/os=windows onto the Windows node only (simulated kubelets)', async () => {
    await rest.post(`/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'iis', labels: { app: 'iis' } },
      spec: {
        nodeSelector: { 'kubernetes.io/os': 'windows' },
        containers: [{ name: 'iis', image: 'mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019' }],
      },
    });
    const pod = await waitFor(async () => (await podsOf('iis')).find((p) => p.status.phase === 'Running'), {
      timeout: 30_000,
      description: 'pod iis Running',
    });
    expect(pod.spec.nodeName).toBe('sim-windows-1');
  });

  it('finishes graceful pod deletions (simulated kubelets)', async () => {
    await rest.delete(`/api/v1/namespaces/${NS}/pods/iis`);
    await waitFor(async () => (await podsOf('iis')).length === 0, { timeout: 20_000, description: 'pod iis gone' });
  });

  it('gives a LoadBalancer Service an ingress IP from 192.0.2.0/24 (simulated load balancer)', async () => {
    await rest.post(`/api/v1/namespaces/${NS}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web-public' },
      spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] },
    });
    const ip = await waitFor(
      async () =>
        (await rest.get<{ status: { loadBalancer?: { ingress?: Array<{ ip: string }> } } }>(`/api/v1/namespaces/${NS}/services/web-public`))
          .status.loadBalancer?.ingress?.[0]?.ip,
      { timeout: 15_000, description: 'an ingress IP on Service web-public' },
    );
    expect(ip).toMatch(/^192\.0\.2\.\d+$/);
  });

  it('lets the real kubectl list the simulated nodes with the admin kubeconfig', async () => {
    const result = await runKubectl(controlPlane.adminKubeconfigPath, ['get', 'nodes', '-o', 'name']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual([
      'node/sim-control-plane-1',
      'node/sim-linux-1',
      'node/sim-linux-2',
      'node/sim-windows-1',
    ]);
  });

  it('lets the read-only user read but refuses its writes with Forbidden', async () => {
    const read = await runKubectl(controlPlane.viewerKubeconfigPath, ['get', 'pods', '-n', NS, '-o', 'name']);
    expect(read.exitCode, read.stderr).toBe(0);
    expect(read.stdout).toContain('pod/web-');
    const write = await runKubectl(controlPlane.viewerKubeconfigPath, ['create', 'configmap', 'not-allowed', '-n', NS]);
    expect(write.exitCode).not.toBe(0);
    expect(write.stderr).toMatch(/Forbidden|forbidden/);
  });
});
