/**
 * The topology watch across a credential rotation on a real 1.20 API server: the watch runs with
 * token A; A is revoked and B issued (the API server restarts with a new token file); while the
 * provider still gives A the map is degraded with one error naming the context and the fix; once the
 * provider gives B (a re-import in Clusters), the map is ready again and sees changes made after.
 */
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRestClient, renderKubeconfig, startControlPlane, waitFor } from '../../harness/index.js';
import type { ControlPlane } from '../../harness/index.js';
import { Backoff } from '../../../src/main/platform/backoff';
import type { KubeConfigProvider } from '../../../src/main/kube/kubeconfig-provider';
import { TopologyService } from '../../../src/main/topology/topology-service';
import { AppError } from '../../../src/shared/errors';
import { TopologyMirror } from './topology-mirror';

const CONTEXT = 'rotating';
const USER = 'nestlab-rotating';
const tokenA = randomBytes(24).toString('hex');
const tokenB = randomBytes(24).toString('hex');

let controlPlane: ControlPlane;
let admin: KubeRestClient;
let service: TopologyService;
let mirror: TopologyMirror;
/** What the Clusters view holds for the context: the token of its imported kubeconfig. */
const imported = { token: tokenA, reads: 0, forgotten: 0 };

/** Like ClustersService.kubeConfigFor: the stored kubeconfig, read anew at each call. */
const provider: KubeConfigProvider = {
  kubeConfigFor: (context) => {
    if (context !== CONTEXT) return Promise.reject(new AppError('NOT_FOUND', `no context ${context}`));
    imported.reads += 1;
    const config = new KubeConfig();
    config.loadFromString(renderKubeconfig({ ...controlPlane.admin, token: imported.token }, { user: USER, context: CONTEXT }));
    return Promise.resolve(config);
  },
  forgetCredentials: () => {
    imported.forgotten += 1;
  },
  contextNames: () => Promise.resolve([CONTEXT]),
};

async function createService(name: string): Promise<void> {
  await admin.request('POST', '/api/v1/namespaces/default/services', {
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] } },
  });
}

beforeAll(async () => {
  controlPlane = await startControlPlane();
  admin = new KubeRestClient(controlPlane.admin);
  await controlPlane.setExtraTokens([{ token: tokenA, user: USER, groups: ['system:masters'] }]);
  service = new TopologyService({ provider, credentials: { backoff: new Backoff(250, 2_000) } });
  mirror = new TopologyMirror(service, CONTEXT);
  await mirror.load();
});

afterAll(async () => {
  mirror?.dispose();
  service?.dispose();
  await controlPlane?.stop();
});

describe('topology watch across a credential rotation', () => {
  it('is degraded while the credentials are refused, and ready again with the re-imported ones', async () => {
    expect(mirror.status?.state).toBe('ready');
    await createService('before');
    await waitFor(() => mirror.find('Service', 'before', 'default'), { timeout: 15_000, description: 'Service before in the model' });
    const readsBefore = imported.reads;

    // A is revoked and B issued; the Clusters view still holds A.
    await controlPlane.setExtraTokens([{ token: tokenB, user: USER, groups: ['system:masters'] }]);
    await waitFor(() => mirror.status?.state === 'degraded' && mirror.status.error?.code === 'UNAUTHORIZED', {
      timeout: 30_000,
      description: 'the map degraded with UNAUTHORIZED',
    });
    const refused = mirror.status!.error!;
    expect(refused.message).toContain(`refused the credentials of context "${CONTEXT}"`);
    expect(refused.message).toContain(`Re-import the kubeconfig of "${CONTEXT}" in Clusters`);
    // Every kind got a 401, but the reads are shared and spaced, not one per kind and attempt.
    const kinds = mirror.status!.kinds.length;
    expect(imported.reads - readsBefore).toBeLessThan(kinds);
    // Each read after a 401 first lets the provider drop credentials it keeps (a plugin's token).
    expect(imported.forgotten).toBe(imported.reads - 1);

    // The kubeconfig with B is imported: the map comes back without reopening the context.
    imported.token = tokenB;
    await waitFor(() => mirror.status?.state === 'ready', { timeout: 30_000, description: 'the map ready again with token B' });
    expect(mirror.status?.error).toBeUndefined();
    expect(mirror.find('Service', 'before', 'default')).toBeDefined();

    await createService('after');
    await waitFor(() => mirror.find('Service', 'after', 'default'), { timeout: 15_000, description: 'Service after in the model' });

    const seen = JSON.stringify(mirror.status) + JSON.stringify(refused);
    expect(seen).not.toContain(tokenA);
    expect(seen).not.toContain(tokenB);
  });
});
