/**
 * A watch that resumes from a resourceVersion the API server no longer has gets 410 Gone, and
 * the topology must list again and drop what was deleted meanwhile: no ghost objects. Against
 * the real 1.20 control plane: while kube-apiserver is down, Services are deleted in etcd itself
 * (so no watch event can ever tell about them) and etcd is compacted; the restarted server
 * answers the old resourceVersion with 410.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdCompact, etcdDelete, kubeconfigProvider, KubeRestClient, startControlPlane, waitFor } from '../../harness/index.js';
import type { ControlPlane } from '../../harness/index.js';
import { TopologyService } from '../../../src/main/topology/topology-service';
import type { KindWatchStatus } from '../../../src/shared/contract/topology';
import { TopologyMirror } from './topology-mirror';

let controlPlane: ControlPlane;
let admin: KubeRestClient;
let service: TopologyService;
let mirror: TopologyMirror;
const CONTEXT = 'lab';
const serviceStates: KindWatchStatus['state'][] = [];

async function createService(name: string): Promise<void> {
  await admin.request('POST', '/api/v1/namespaces/default/services', {
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { test: 'gone' } }, spec: { ports: [{ port: 80 }] } },
  });
}

const testServiceNames = () =>
  mirror
    .ofKind('Service')
    .filter((object) => object.name.startsWith('gone-'))
    .map((object) => object.name)
    .sort();

beforeAll(async () => {
  controlPlane = await startControlPlane();
  admin = new KubeRestClient(controlPlane.admin);
  service = new TopologyService({ provider: kubeconfigProvider(controlPlane.adminKubeconfig, CONTEXT) });
  mirror = new TopologyMirror(service, CONTEXT);
  service.onDidChangeStatus((status) => {
    const state = status.kinds.find((kind) => kind.kind === 'Service')?.state;
    if (state && state !== serviceStates.at(-1)) serviceStates.push(state);
  });
  await mirror.load();
});

afterAll(async () => {
  mirror?.dispose();
  service?.dispose();
  await controlPlane?.stop();
});

describe('topology watch after 410 Gone', () => {
  it('lists again and shows none of the objects deleted while the watch was down', async () => {
    for (const name of ['gone-a', 'gone-b', 'gone-c', 'gone-d']) await createService(name);
    await waitFor(() => testServiceNames().length === 4, { timeout: 20_000, description: 'four test Services on the map' });
    const listVersion = (await admin.get<{ metadata: { resourceVersion: string } }>('/api/v1/services')).metadata.resourceVersion;

    await controlPlane.stopApiServer();
    await waitFor(() => mirror.status?.state === 'degraded', {
      timeout: 20_000,
      description: 'status degraded while the API server is down',
    });
    // Deleted behind the API server's back: no DELETED event will ever be sent for them.
    for (const name of ['gone-a', 'gone-b', 'gone-c']) {
      expect(await etcdDelete(controlPlane.etcdEndpoint, `/registry/services/specs/default/${name}`)).toBe(1);
    }
    await etcdCompact(controlPlane.etcdEndpoint);
    serviceStates.length = 0;
    await controlPlane.startApiServer();

    // What the watcher meets when it resumes: the old resourceVersion is gone.
    const resumed = await admin.requestText('GET', `/api/v1/services?watch=1&resourceVersion=${listVersion}&timeoutSeconds=1`);
    expect(resumed).toMatch(/"code":410/);

    await waitFor(() => testServiceNames().length === 1 && mirror.status?.state === 'ready', {
      timeout: 60_000,
      description: 'only gone-d left after the relist',
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}\nServices: ${testServiceNames().join(', ')}\nstates: ${serviceStates.join(' -> ')}`);
    });
    expect(testServiceNames()).toEqual(['gone-d']);
    // It listed again (a 410 relists; a plain reconnect resumes without listing).
    expect(serviceStates).toContain('listing');

    // And keeps watching from the new list: a Service made now appears, one deleted now goes.
    await createService('gone-e');
    await admin.request('DELETE', '/api/v1/namespaces/default/services/gone-d');
    await waitFor(() => testServiceNames().join() === 'gone-e', { timeout: 20_000, description: 'gone-e alone' });
  }, 150_000);
});
