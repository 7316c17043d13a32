/**
 * Every view reaches the API server the same way (src/main/kube): against a real 1.20 control plane,
 * with the clusters service as the credentials provider as in the app. A certificate problem shows
 * the Clusters view's diagnosis in Topology, Apps and Pods; a kubeconfig's proxy-url is used for
 * requests and watches (a real CONNECT proxy on loopback, the only way to the server); a pods log
 * watch the server refuses (403, 500) or closes at once backs off instead of asking again at once.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  KubeRestClient,
  delay,
  getFreePort,
  signCertificate,
  startApiFront,
  startConnectProxy,
  startControlPlane,
  waitFor,
} from '../../harness/index.js';
import type { ApiFront, ConnectProxy, ControlPlane } from '../../harness/index.js';
import { AppsService } from '../../../src/main/apps/apps-service';
import type { ClustersService } from '../../../src/main/clusters/clusters-service';
import { PodsService } from '../../../src/main/pods/pods-service';
import { TopologyService } from '../../../src/main/topology/topology-service';
import type { LogStreamEnd } from '../../../src/shared/contract/pods';
import type { SerializedError } from '../../../src/shared/errors';
import { caught, createClustersService, kubeconfig, tempDir } from '../clusters/cluster-fixtures';
import { TopologyMirror } from '../topology/topology-mirror';

const CATALOG = join(import.meta.dirname, '../../../resources/catalog');

let controlPlane: ControlPlane;
let admin: KubeRestClient;
let clusters: ClustersService;
let topology: TopologyService;
let apps: AppsService;
let pods: PodsService;
let work: string;
let dataDir: string;
const stops: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  controlPlane = await startControlPlane();
  admin = new KubeRestClient(controlPlane.admin);
  ({ service: clusters, dataDir } = await createClustersService({ requestTimeoutMs: 5_000 }));
  topology = new TopologyService({ provider: clusters, readyTimeoutMs: 10_000 });
  apps = new AppsService({ catalogDir: CATALOG, provider: clusters, registryMirror: () => Promise.resolve('') });
  pods = new PodsService({ provider: clusters });
  work = await tempDir('kube-access');
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  topology?.dispose();
  apps?.dispose();
  await pods?.dispose();
  clusters?.dispose();
  await controlPlane?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function importContext(name: string, parts: Parameters<typeof kubeconfig>[0]): Promise<void> {
  const text = stringify(kubeconfig({ ...parts, names: { cluster: name, user: `${name}-user`, context: name } }));
  const result = await clusters.importKubeconfig({ kind: 'text', text, label: `${name}.yaml` }, []);
  if (result.status !== 'imported') throw new Error(`unexpected clashes: ${JSON.stringify(result.clashes)}`);
}

/** A context whose server is a recording front of the real API server (with a certificate `days` long). */
async function frontedContext(name: string, days?: number): Promise<ApiFront> {
  const front = await startApiFront({
    upstream: controlPlane.server,
    caCertPath: controlPlane.caCertPath,
    caKeyPath: controlPlane.caKeyPath,
    dir: work,
    ...(days === undefined ? {} : { days }),
  });
  stops.push(() => front.stop());
  await importContext(name, { server: front.server, caPem: controlPlane.caCertPem, token: controlPlane.adminToken });
  return front;
}

/** What the Clusters view shows for a context that cannot connect. */
async function clustersDiagnosis(context: string): Promise<SerializedError> {
  const result = await clusters.testConnection(context);
  if (result.ok) throw new Error(`expected ${context} to fail`);
  return result.error;
}

function expectSameDiagnosis(actual: SerializedError | undefined, expected: SerializedError): void {
  expect(actual?.code).toBe(expected.code);
  expect(actual?.message).toBe(expected.message);
  expect(actual?.details?.cause).toBe(expected.details?.cause);
  expect(actual?.details?.fix).toBe(expected.details?.fix);
}

async function expectDiagnosisEverywhere(context: string, expected: SerializedError): Promise<void> {
  const mirror = new TopologyMirror(topology, context);
  stops.push(() => mirror.dispose());
  await topology.watch(context);
  await waitFor(() => mirror.status?.error !== undefined, { timeout: 15_000, description: `topology error for ${context}` });
  expectSameDiagnosis(mirror.status?.error, expected);
  await topology.unwatch(context);

  expectSameDiagnosis((await caught(apps.list(context))).toJSON(), expected);
  expectSameDiagnosis((await caught(pods.listPods({ context }))).toJSON(), expected);
}

describe('the Kubernetes access layer', () => {
  it("shows an unknown CA's diagnosis in Topology, Apps and Pods as Clusters does", async () => {
    const other = await signCertificate({
      dir: work,
      name: 'other-ca-leaf',
      caCertPath: controlPlane.caCertPath,
      caKeyPath: controlPlane.caKeyPath,
      commonName: 'not-a-ca',
      usage: 'serverAuth',
    });
    // A certificate that is not the API server's CA: the chain cannot be verified.
    await importContext('recreated', {
      server: controlPlane.server,
      caPem: await readFile(other.certPath, 'utf8'),
      token: controlPlane.adminToken,
    });
    const expected = await clustersDiagnosis('recreated');
    expect(expected.code).toBe('TLS_UNKNOWN_AUTHORITY');
    await expectDiagnosisEverywhere('recreated', expected);
  });

  it("shows an expired server certificate's diagnosis in Topology, Apps and Pods as Clusters does", async () => {
    await frontedContext('expired', -1);
    const expected = await clustersDiagnosis('expired');
    expect(expected.code).toBe('TLS_CERT_EXPIRED');
    await expectDiagnosisEverywhere('expired', expected);
  });

  it('lists pods page by page over one kept connection (a TLS handshake per page made a 30,000-pod list a third slower)', async () => {
    const front = await frontedContext('kept');
    await admin.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kept-list' } } });
    // The API server admits pods in a namespace only once its default service account has its token.
    await waitFor(() => admin.hasServiceAccountToken('kept-list'), { timeout: 30_000, description: "kept-list's default service account" });
    for (let index = 0; index < 5; index += 1) {
      await admin.request('POST', '/api/v1/namespaces/kept-list/pods', {
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `row-${index}` },
          spec: { containers: [{ name: 'app', image: 'nginx' }] },
        },
      });
    }
    const paged = new PodsService({ provider: clusters, listPageSize: 2 });
    stops.push(() => paged.dispose());

    const rows = await paged.listPods({ context: 'kept', namespace: 'kept-list' });

    expect(rows.map((row) => row.name).sort()).toEqual(['row-0', 'row-1', 'row-2', 'row-3', 'row-4']);
    const lists = front.requests.filter((request) => request.url.startsWith('/api/v1/namespaces/kept-list/pods?'));
    expect(lists.map((request) => new URLSearchParams(request.url.split('?')[1]).get('limit'))).toEqual(['2', '2', '2']);
    expect(new Set(lists.map((request) => request.connection)).size).toBe(1);
  });

  describe("a cluster's proxy-url", () => {
    let proxy: ConnectProxy;
    /** A port nothing listens on: only the proxy knows it means the API server. */
    let hiddenPort: number;

    beforeAll(async () => {
      hiddenPort = await getFreePort();
      const apiPort = controlPlane.apiServerPort;
      proxy = await startConnectProxy({ route: (host, port) => (port === hiddenPort ? { host, port: apiPort } : { host, port }) });
      stops.push(() => proxy.stop());
      await importContext('proxied', {
        server: `https://127.0.0.1:${hiddenPort}`,
        caPem: controlPlane.caCertPem,
        token: controlPlane.adminToken,
        cluster: { 'proxy-url': proxy.url },
      });
    });

    it('carries the Clusters health check, Pods and Apps requests', async () => {
      const result = await clusters.testConnection('proxied');
      expect(result.ok).toBe(true);
      expect(proxy.connects).toContain(`127.0.0.1:${hiddenPort}`);
      const before = proxy.connects.length;
      expect(Array.isArray(await pods.listPods({ context: 'proxied', namespace: 'kube-system' }))).toBe(true);
      expect(await apps.list('proxied')).toEqual([]);
      expect(proxy.connects.length).toBeGreaterThan(before);
    });

    it('carries the topology watches: a Service made after the first lists reaches the map', async () => {
      const mirror = new TopologyMirror(topology, 'proxied');
      stops.push(() => mirror.dispose());
      await mirror.load();
      expect(mirror.status?.state).toBe('ready');
      await waitFor(() => proxy.openTunnels() >= 5, { timeout: 15_000, description: 'watches open through the proxy' });
      await admin.request('POST', '/api/v1/namespaces/default/services', {
        body: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'through-proxy' },
          spec: { selector: { app: 'x' }, ports: [{ port: 80 }] },
        },
      });
      await waitFor(() => mirror.find('Service', 'through-proxy', 'default'), { timeout: 15_000, description: 'the Service in the map' });
      await topology.unwatch('proxied');
    });
  });

  describe('a pods log watch the API server refuses', () => {
    let front: ApiFront;

    beforeAll(async () => {
      front = await frontedContext('refusing');
      await admin.request('POST', '/apis/apps/v1/namespaces/default/deployments', {
        body: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'quiet' },
          spec: {
            replicas: 0,
            selector: { matchLabels: { app: 'quiet' } },
            template: { metadata: { labels: { app: 'quiet' } }, spec: { containers: [{ name: 'main', image: 'busybox' }] } },
          },
        },
      });
    });

    // 200: answered with an empty body and closed at once, as a proxy that cuts streams does.
    for (const status of [403, 500, 200]) {
      it(`backs off after a ${status} instead of watching again at once`, async () => {
        const isPodWatch = (url: string) => url.startsWith('/api/v1/namespaces/default/pods?') && url.includes('watch=true');
        front.answer = (request) => (isPodWatch(request.url) ? status : undefined);
        const ends: LogStreamEnd[] = [];
        const subscription = pods.onDidEndLogs((end) => ends.push(end));
        const info = await pods.startLogs(
          { context: 'refusing', kind: 'deployment', namespace: 'default', name: 'quiet' },
          { follow: true },
        );
        const watches = () => front.requests.filter((request) => isPodWatch(request.url)).length;
        const first = watches();
        await waitFor(() => watches() > first, { timeout: 5_000, description: 'the first refused watch' });
        const start = watches();
        await delay(2_500);
        // A jittered backoff from 250 ms doubling: at most 4 more attempts in 2.5 s (at once: hundreds).
        expect(watches() - start).toBeLessThanOrEqual(4);
        expect(watches() - start).toBeGreaterThanOrEqual(1);
        expect(ends).toEqual([]);
        await pods.stopLogs(info.streamId);
        subscription.dispose();
        front.answer = () => undefined;
      });
    }
  });
});
