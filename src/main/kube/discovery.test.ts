import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { ApiDiscovery, parseServerVersion } from './discovery';
import type { KubeApi } from './kube-api';
import { serverSideApply } from './server-side-apply';

interface Sent {
  method: string;
  path: string;
  options?: { body?: unknown; contentType?: string; query?: Record<string, string> };
}

/** An API server in memory that answers discovery of apps/v1 and v1, /version, and records what it was asked. */
function fakeApi(answers: Record<string, () => unknown>): { api: KubeApi; sent: Sent[] } {
  const sent: Sent[] = [];
  const request = <T>(method: string, path: string, options?: Sent['options']): Promise<T> => {
    sent.push({ method, path, ...(options ? { options } : {}) });
    const answer = answers[method === 'GET' ? path : `${method} ${path}`];
    if (!answer) return Promise.reject(new AppError('NOT_FOUND', `${path} not found`, { status: 404 }));
    try {
      return Promise.resolve(answer() as T);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const api: KubeApi = {
    server: 'https://127.0.0.1:6443',
    request,
    getJson: (path) => request('GET', path),
    openStream: () => Promise.reject(new Error('not used')),
    watch: () => Promise.reject(new Error('not used')),
  };
  return { api, sent };
}

const APPS = () => ({
  resources: [
    { name: 'deployments', kind: 'Deployment', namespaced: true },
    { name: 'deployments/scale', kind: 'Scale', namespaced: true },
    { name: 'deployments/status', kind: 'Deployment', namespaced: true },
  ],
});
const CORE = () => ({ resources: [{ name: 'namespaces', kind: 'Namespace', namespaced: false }] });

describe('ApiDiscovery', () => {
  it("finds a kind's plural and scope with one request per group version, never a subresource", async () => {
    const { api, sent } = fakeApi({ '/apis/apps/v1': APPS, '/api/v1': CORE });
    const discovery = new ApiDiscovery(api);
    expect(await discovery.resource('apps/v1', 'Deployment')).toEqual({ plural: 'deployments', namespaced: true });
    expect(await discovery.objectPath({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' })).toBe(
      '/apis/apps/v1/namespaces/shop/deployments/web',
    );
    expect(await discovery.objectPath({ apiVersion: 'apps/v1', kind: 'Deployment', name: '' })).toBe(
      '/apis/apps/v1/namespaces/default/deployments',
    );
    expect(await discovery.objectPath({ apiVersion: 'v1', kind: 'Namespace', name: 'shop', namespace: 'ignored' })).toBe(
      '/api/v1/namespaces/shop',
    );
    expect(sent.map((request) => request.path)).toEqual(['/apis/apps/v1', '/api/v1']);
  });

  it('says which group version or kind the server does not offer, and asks again after a failure', async () => {
    let failing = true;
    const { api, sent } = fakeApi({
      '/apis/apps/v1': APPS,
      '/apis/batch/v1': () => {
        if (failing) throw new AppError('UNREACHABLE', 'down');
        return { resources: [{ name: 'jobs', kind: 'Job', namespaced: true }] };
      },
    });
    const discovery = new ApiDiscovery(api);
    const missingGroup = await discovery.resource('gateway.networking.k8s.io/v1', 'Gateway').catch((error: unknown) => error);
    expect(missingGroup).toMatchObject({ code: 'NOT_FOUND', message: 'The server does not offer gateway.networking.k8s.io/v1.' });
    const missingKind = await discovery.resource('apps/v1', 'Scale').catch((error: unknown) => error);
    expect(missingKind).toMatchObject({ code: 'NOT_FOUND', message: 'The server offers no kind Scale in apps/v1.' });
    await expect(discovery.resource('batch/v1', 'Job')).rejects.toMatchObject({ code: 'UNREACHABLE' });
    failing = false;
    expect(await discovery.resource('batch/v1', 'Job')).toEqual({ plural: 'jobs', namespaced: true });
    expect(sent.filter((request) => request.path === '/apis/batch/v1')).toHaveLength(2);
  });

  it('asks /version once, and again when it could not be read', async () => {
    let up = false;
    const { api, sent } = fakeApi({
      '/version': () => {
        if (!up) throw new AppError('UNREACHABLE', 'down');
        return { major: '1', minor: '20+', gitVersion: 'v1.20.2' };
      },
    });
    const discovery = new ApiDiscovery(api);
    expect(await discovery.serverVersion()).toBeUndefined();
    up = true;
    expect(await discovery.serverVersion()).toEqual({ major: 1, minor: 20 });
    expect(await discovery.serverVersion()).toEqual({ major: 1, minor: 20 });
    expect(sent).toHaveLength(2);
    expect(parseServerVersion({ major: 'x' })).toBeUndefined();
  });

  it("reads /version anew each time, with what it does not say left out, and the client's error as it is", async () => {
    let answer: unknown = { major: '1', minor: '20', gitVersion: 'v1.20.2', platform: 'linux/amd64' };
    const { api, sent } = fakeApi({
      '/version': () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    const discovery = new ApiDiscovery(api);
    expect(await discovery.versionInfo(5_000)).toEqual({
      gitVersion: 'v1.20.2',
      platform: 'linux/amd64',
      version: { major: 1, minor: 20 },
    });
    answer = { gitVersion: 'v1.20.2-custom', minor: 'x' };
    expect(await discovery.versionInfo()).toEqual({ gitVersion: 'v1.20.2-custom' });
    answer = null;
    expect(await discovery.versionInfo()).toEqual({});
    answer = new AppError('TLS_CERT_EXPIRED', 'expired');
    await expect(discovery.versionInfo()).rejects.toMatchObject({ code: 'TLS_CERT_EXPIRED' });
    expect(sent).toHaveLength(4);
    expect(sent[0]?.options).toMatchObject({ timeoutMs: 5_000 });
  });
});

describe('serverSideApply', () => {
  it('PATCHes the whole object as an apply under the field manager, dry run and force when asked', async () => {
    const { api, sent } = fakeApi({
      '/apis/apps/v1': APPS,
      'PATCH /apis/apps/v1/namespaces/shop/deployments/web': () => ({ applied: true }),
    });
    const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 2 } };
    await serverSideApply(api, new ApiDiscovery(api), object, { fieldManager: 'nestlab', dryRun: true, force: true });
    await serverSideApply(api, new ApiDiscovery(api), object, { fieldManager: 'nestlab' });
    const patches = sent.filter((request) => request.method === 'PATCH');
    expect(patches[0]?.options).toEqual({
      body: object,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'nestlab', dryRun: 'All', force: 'true' },
    });
    expect(patches[1]?.options?.query).toEqual({ fieldManager: 'nestlab' });
  });
});
