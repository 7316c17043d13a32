/**
 * The shared list-then-watch loop (src/main/kube/list-watch.ts) against a real 1.20 control
 * plane, through an HTTPS front that records every request: it lists in pages, follows changes,
 * resumes from its resourceVersion when the server ends a watch (no relist), and after a 410 Gone
 * lists again with none of the objects deleted while it could not see them. For the 410, while
 * kube-apiserver is down ConfigMaps are deleted in etcd itself (no watch event can ever tell about
 * them) and etcd is compacted, so the restarted server answers the old resourceVersion with 410.
 * (Stopping, retryNow and the backoff's spacing are unit-tested in list-watch.test.ts.)
 */
import { KubeConfig } from '@kubernetes/client-node';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubeRestClient, etcdCompact, etcdDelete, startApiFront, startControlPlane, waitFor } from '../../harness/index.js';
import type { ApiFront, ControlPlane } from '../../harness/index.js';
import { createKubeApi } from '../../../src/main/kube/kube-api';
import { ListWatch, type ListWatchState } from '../../../src/main/kube/list-watch';
import { Backoff } from '../../../src/main/platform/backoff';
import { kubeconfig, tempDir } from '../clusters/cluster-fixtures';

interface ConfigMap {
  metadata?: { name?: string; resourceVersion?: string };
  data?: Record<string, string>;
}

let controlPlane: ControlPlane;
let admin: KubeRestClient;
let front: ApiFront;
let work: string;
let loop: ListWatch<ConfigMap, { name: string; data: string }> | undefined;
const PATH = '/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  controlPlane = await startControlPlane();
  admin = new KubeRestClient(controlPlane.admin);
  work = await tempDir('list-watch');
  front = await startApiFront({
    upstream: controlPlane.server,
    caCertPath: controlPlane.caCertPath,
    caKeyPath: controlPlane.caKeyPath,
    dir: work,
  });
});

afterAll(async () => {
  loop?.stop();
  await front?.stop();
  await controlPlane?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function frontApi() {
  const config = new KubeConfig();
  config.loadFromString(stringify(kubeconfig({ server: front.server, caPem: controlPlane.caCertPem, token: controlPlane.adminToken })));
  return createKubeApi(config);
}

async function createConfigMap(name: string, value = '1'): Promise<void> {
  await admin.request('POST', `${PATH}`, {
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { test: 'list-watch' } }, data: { value } },
  });
}

const query = (url: string) => new URLSearchParams(url.split('?')[1] ?? '');
const isConfigMaps = (url: string) => url.startsWith(`${PATH}?`) && query(url).get('labelSelector') === 'test=list-watch';
const lists = () => front.requests.filter((request) => isConfigMaps(request.url) && !query(request.url).has('watch'));
const watches = () => front.requests.filter((request) => isConfigMaps(request.url) && query(request.url).get('watch') === 'true');

describe('the shared list-then-watch loop', () => {
  const items = new Map<string, string>();
  const states: ListWatchState[] = [];
  const names = () => [...items.keys()].sort().join(',');

  it('lists in pages, follows changes, and resumes from its version when the server ends a watch', async () => {
    for (const name of ['lw-a', 'lw-b', 'lw-c']) await createConfigMap(name);
    loop = new ListWatch(
      frontApi(),
      {
        replace: (all) => {
          items.clear();
          for (const item of all) items.set(item.name, item.data);
        },
        upsert: (item) => items.set(item.name, item.data),
        remove: (item) => items.delete(item.name),
        status: ({ state }) => {
          if (state !== states.at(-1)) states.push(state);
        },
      },
      {
        path: PATH,
        query: { labelSelector: 'test=list-watch' },
        decode: (raw) => ({ name: raw.metadata?.name ?? '', data: raw.data?.value ?? '' }),
        pageSize: 2,
        // The server ends each watch after about 2 s.
        watchTimeoutSeconds: 2,
        backoff: new Backoff(100, 1_000),
      },
    );
    loop.start();
    await waitFor(() => names() === 'lw-a,lw-b,lw-c' && states.at(-1) === 'watching', { timeout: 15_000, description: 'the list' }).catch(
      (error: unknown) => {
        throw new Error(`${String(error)}\nitems: ${names()}\nstates: ${states.join(' -> ')}`);
      },
    );
    // Two pages of at most 2.
    expect(lists().map((request) => query(request.url).get('limit'))).toEqual(['2', '2']);
    expect(query(lists()[1]!.url).get('continue')).toBeTruthy();

    await createConfigMap('lw-d');
    await admin.request('PATCH', `${PATH}/lw-a`, { body: { data: { value: '2' } }, contentType: 'application/merge-patch+json' });
    await admin.request('DELETE', `${PATH}/lw-b`);
    await waitFor(() => names() === 'lw-a,lw-c,lw-d' && items.get('lw-a') === '2', { timeout: 10_000, description: 'the changes' });

    // Several watches later (each ended by the server): still one list, each watch from a version.
    const before = watches().length;
    await waitFor(() => watches().length >= before + 2, { timeout: 15_000, description: 'two more watches' });
    expect(lists()).toHaveLength(2);
    const versions = watches().map((request) => Number(query(request.url).get('resourceVersion')));
    expect(versions.every((version) => version > 0)).toBe(true);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(query(watches().at(-1)!.url).get('allowWatchBookmarks')).toBe('true');
    expect(states).toEqual(['listing', 'watching']);
  }, 60_000);

  it('lists again after a 410 Gone and keeps none of the objects deleted while it could not see them', async () => {
    await controlPlane.stopApiServer();
    await waitFor(() => states.at(-1) === 'retrying', { timeout: 20_000, description: 'retrying while the API server is down' });
    // Deleted behind the API server's back: no DELETED event will ever be sent for them.
    expect(await etcdDelete(controlPlane.etcdEndpoint, '/registry/configmaps/default/lw-a')).toBe(1);
    expect(await etcdDelete(controlPlane.etcdEndpoint, '/registry/configmaps/default/lw-c')).toBe(1);
    await etcdCompact(controlPlane.etcdEndpoint);
    const listsBefore = lists().length;
    await controlPlane.startApiServer();

    await waitFor(() => names() === 'lw-d' && states.at(-1) === 'watching', { timeout: 30_000, description: 'lw-d alone' }).catch(
      (error: unknown) => {
        throw new Error(`${String(error)}\nitems: ${names()}\nstates: ${states.join(' -> ')}`);
      },
    );
    // It listed again because of the 410 (a plain reconnect resumes without listing).
    expect(lists().length).toBeGreaterThan(listsBefore);
    // (The restarted server may first accept the old version's watch, then send 410 as an ERROR event.)
    expect(states.slice(-2)).toEqual(['listing', 'watching']);

    // And follows from the new list.
    await createConfigMap('lw-e');
    await admin.request('DELETE', `${PATH}/lw-d`);
    await waitFor(() => names() === 'lw-e', { timeout: 10_000, description: 'lw-e alone' });
  }, 90_000);
});
