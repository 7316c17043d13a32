/**
 * The topology service against a real 1.20 control plane with simulated nodes: list then watch
 * per kind, EndpointSlice version discovery, live changes, a failed node, an API server restart,
 * an Ingress, and the Gateway API appearing and going with its CRDs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  kubeconfigProvider,
  KubeRestClient,
  labNodeSpecs,
  renderKubeconfig,
  startApiFront,
  startControlPlane,
  startSimulatedNodes,
  waitFor,
} from '../../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../../harness/index.js';
import { deployment } from '../harness/kube-objects';
import { TopologyService } from '../../../src/main/topology/topology-service';
import type { TopologyStatus } from '../../../src/shared/contract/topology';
import { tempDir } from '../../harness/temp-dir';
import { TopologyMirror } from './topology-mirror';

let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let admin: KubeRestClient;
let service: TopologyService;
let mirror: TopologyMirror;
const CONTEXT = 'lab';

async function scale(name: string, replicas: number): Promise<void> {
  await admin.request('PATCH', `/apis/apps/v1/namespaces/default/deployments/${name}/scale`, {
    body: { spec: { replicas } },
    contentType: 'application/merge-patch+json',
  });
}

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  admin = new KubeRestClient(controlPlane.admin);
  // Discovery again every second, so the Gateway API's CRDs installed mid-test are picked up.
  service = new TopologyService({
    provider: kubeconfigProvider(controlPlane.adminKubeconfig, CONTEXT),
    pageSize: 7,
    watch: { rediscoverMs: 1_000 },
  });
  mirror = new TopologyMirror(service, CONTEXT);
  await mirror.load();
});

afterAll(async () => {
  mirror?.dispose();
  service?.dispose();
  await simulation?.stop();
  await controlPlane?.stop();
});

describe('topology service against the harness', () => {
  it('lists the simulated nodes with role, OS and readiness, and discovers the EndpointSlice version', () => {
    const nodes = mirror.ofKind('Node');
    expect(nodes.map((node) => node.name).sort()).toEqual(['sim-control-plane-1', 'sim-linux-1', 'sim-linux-2', 'sim-windows-1']);
    expect(mirror.find('Node', 'sim-windows-1')).toMatchObject({ os: 'windows', role: 'worker', ready: 'True', kubeletVersion: 'v1.20.2' });
    expect(mirror.find('Node', 'sim-control-plane-1')).toMatchObject({ os: 'linux', role: 'control-plane' });
    expect(mirror.status?.kinds.find((kind) => kind.kind === 'EndpointSlice')?.apiVersion).toBe('discovery.k8s.io/v1beta1');
    expect(mirror.status?.kinds.some((kind) => kind.kind === 'Gateway')).toBe(false);
    expect(mirror.status?.state).toBe('ready');
    // The compact model drops managedFields and the rest of the raw objects.
    expect(JSON.stringify([...mirror.objects.values()])).not.toContain('managedFields');
  });

  it('shows a new Deployment with its ReplicaSet, pods and Service endpoints', async () => {
    await admin.request('POST', '/apis/apps/v1/namespaces/default/deployments', {
      body: deployment('web', 3, { 'kubernetes.io/os': 'linux' }),
    });
    await admin.request('POST', '/api/v1/namespaces/default/services', {
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    await waitFor(() => mirror.podsOfDeployment('web').filter((pod) => pod.kind === 'Pod' && pod.ready).length === 3, {
      timeout: 30_000,
      description: 'three ready pods of web in the model',
    });
    expect(mirror.find('Deployment', 'web', 'default')).toMatchObject({ desired: 3 });
    const pods = mirror.podsOfDeployment('web');
    for (const pod of pods) expect(pod).toMatchObject({ kind: 'Pod', phase: 'Running', nodeName: expect.stringMatching(/^sim-linux-/) });
    await waitFor(
      () => {
        const slice = mirror.ofKind('EndpointSlice').find((candidate) => candidate.service === 'web');
        return slice && pods.every((pod) => slice.podUids.includes(pod.uid));
      },
      { timeout: 30_000, description: 'the EndpointSlice of web points at its pods' },
    );
  });

  it('changes the group count when the Deployment is scaled', async () => {
    await scale('web', 5);
    await waitFor(() => mirror.podsOfDeployment('web').length === 5, { timeout: 30_000, description: 'five pods of web' });
    await scale('web', 2);
    await waitFor(() => mirror.podsOfDeployment('web').length === 2, { timeout: 30_000, description: 'two pods of web' });
    expect(mirror.find('Deployment', 'web')).toMatchObject({ desired: 2 });
  });

  it("says how many of a long list's objects it has read while the list runs", async () => {
    // A second service reads the same cluster a pod per page through a front that holds every pod
    // page after the first (a large cluster's pods take tens of seconds to list).
    const work = await tempDir('topology-progress');
    const front = await startApiFront({
      upstream: controlPlane.server,
      caCertPath: controlPlane.caCertPath,
      caKeyPath: controlPlane.caKeyPath,
      dir: work,
    });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    front.hold = (request) => {
      const url = new URL(request.url, 'https://front');
      return url.pathname === '/api/v1/pods' && url.searchParams.has('continue') ? held : undefined;
    };
    const kubeconfig = renderKubeconfig(
      { server: front.server, token: controlPlane.adminToken, caCertPem: controlPlane.caCertPem },
      { context: 'slow' },
    );
    const slow = new TopologyService({ provider: kubeconfigProvider(kubeconfig, 'slow'), watch: { pageSize: 1, progressMs: 50 } });
    const statuses: TopologyStatus[] = [];
    slow.onDidChangeStatus((status) => statuses.push(status));
    const pods = (status: TopologyStatus) => status.kinds.find((kind) => kind.kind === 'Pod');
    try {
      await slow.watch('slow');
      const listing = await waitFor(() => statuses.find((status) => pods(status)?.listed !== undefined), {
        timeout: 30_000,
        description: 'a status with the pods read so far',
      });
      expect(pods(listing)).toMatchObject({ state: 'listing', listed: 1 });
      expect(listing.state).toBe('starting');
      release();
      const ready = await waitFor(() => statuses.find((status) => status.state === 'ready'), {
        timeout: 30_000,
        description: 'the watch of the slow context ready',
      });
      // Once listed, no count: it said how far a list had come.
      expect(pods(ready)).toEqual({ kind: 'Pod', apiVersion: 'v1', state: 'watching' });
    } finally {
      release();
      slow.dispose();
      await front.stop();
    }
  });

  it('shows an Ingress with its hosts and backend Services (networking.k8s.io/v1)', async () => {
    expect(mirror.status?.kinds.find((kind) => kind.kind === 'Ingress')?.apiVersion).toBe('networking.k8s.io/v1');
    await admin.request('POST', '/apis/networking.k8s.io/v1/namespaces/default/ingresses', {
      body: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'front' },
        spec: {
          defaultBackend: { service: { name: 'fallback', port: { number: 80 } } },
          rules: [
            {
              host: 'lab.example',
              http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] },
            },
          ],
        },
      },
    });
    await waitFor(() => mirror.find('Ingress', 'front') !== undefined, { timeout: 20_000, description: 'the Ingress in the model' });
    expect(mirror.find('Ingress', 'front')).toMatchObject({ hosts: ['lab.example'], services: ['fallback', 'web'] });
  });

  it('picks up the Gateway API once its CRDs are installed, and drops it when they are removed', async () => {
    const crd = (plural: string, kind: string) => ({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      // *.k8s.io groups need the approval annotation; the Gateway API's own CRDs carry this one.
      metadata: {
        name: `${plural}.gateway.networking.k8s.io`,
        annotations: { 'api-approved.kubernetes.io': 'https://github.com/kubernetes-sigs/gateway-api/pull/1538' },
      },
      spec: {
        group: 'gateway.networking.k8s.io',
        scope: 'Namespaced',
        names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    });
    const crds = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
    await admin.request('POST', crds, { body: crd('gateways', 'Gateway') });
    await admin.request('POST', crds, { body: crd('httproutes', 'HTTPRoute') });
    await waitFor(
      () => ['Gateway', 'HTTPRoute'].every((kind) => mirror.status?.kinds.find((entry) => entry.kind === kind)?.state === 'watching'),
      {
        timeout: 30_000,
        description: 'Gateway and HTTPRoute watched after their CRDs were installed',
      },
    );
    const gatewayApi = '/apis/gateway.networking.k8s.io/v1/namespaces/default';
    await admin.request('POST', `${gatewayApi}/gateways`, {
      body: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'lab-gw' },
        spec: { gatewayClassName: 'lab', listeners: [] },
      },
    });
    await admin.request('POST', `${gatewayApi}/httproutes`, {
      body: {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'web-route' },
        spec: { parentRefs: [{ name: 'lab-gw' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
      },
    });
    await waitFor(() => mirror.find('HTTPRoute', 'web-route') !== undefined && mirror.find('Gateway', 'lab-gw') !== undefined, {
      timeout: 20_000,
      description: 'the Gateway and its HTTPRoute in the model',
    });
    expect(mirror.find('Gateway', 'lab-gw')).toMatchObject({ gatewayClass: 'lab' });
    expect(mirror.find('HTTPRoute', 'web-route')).toMatchObject({ gateways: ['default/lab-gw'], services: ['default/web'] });
    expect(mirror.status?.state).toBe('ready');

    await admin.request('DELETE', `${crds}/httproutes.gateway.networking.k8s.io`);
    await admin.request('DELETE', `${crds}/gateways.gateway.networking.k8s.io`);
    await waitFor(() => !mirror.status?.kinds.some((kind) => kind.kind === 'Gateway' || kind.kind === 'HTTPRoute'), {
      timeout: 30_000,
      description: 'Gateway and HTTPRoute no longer watched once their CRDs are gone',
    });
    expect(mirror.ofKind('Gateway')).toEqual([]);
    expect(mirror.ofKind('HTTPRoute')).toEqual([]);
    expect(mirror.status?.state).toBe('ready');
  }, 90_000);

  it('turns a failed node NotReady', async () => {
    simulation.failNode('sim-linux-2');
    await waitFor(() => mirror.find('Node', 'sim-linux-2')?.ready !== 'True', { timeout: 45_000, description: 'sim-linux-2 not Ready' });
    expect(mirror.find('Node', 'sim-linux-1')?.ready).toBe('True');
    await simulation.recoverNode('sim-linux-2');
    await waitFor(() => mirror.find('Node', 'sim-linux-2')?.ready === 'True', { timeout: 30_000, description: 'sim-linux-2 Ready again' });
  }, 90_000);

  it('survives an API server restart and sees a change made after it', async () => {
    await controlPlane.stopApiServer();
    await waitFor(() => mirror.status?.state === 'degraded', {
      timeout: 20_000,
      description: 'status degraded while the API server is down',
    });
    await controlPlane.startApiServer();
    await waitFor(() => mirror.status?.state === 'ready', {
      timeout: 40_000,
      description: 'status ready after the restart',
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\nstatus: ${JSON.stringify(mirror.status)}`);
    });
    await scale('web', 4);
    await waitFor(() => mirror.podsOfDeployment('web').length === 4, {
      timeout: 30_000,
      description: 'four pods of web after the restart',
    });
  }, 120_000);

  it('answers recent events of an object and refuses an unknown context', async () => {
    const pod = mirror.podsOfDeployment('web')[0]!;
    const events = await service.recentEvents(CONTEXT, { kind: 'Pod', name: pod.name, namespace: 'default' });
    expect(events.some((event) => event.reason === 'Scheduled')).toBe(true);
    await expect(service.watch('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
