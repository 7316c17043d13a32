/**
 * An app follower across a credential rotation on a real 1.20 API server: it follows an instance
 * with token A; A is revoked and B issued (the API server restarts with a new token file); once the
 * Clusters view holds B (a re-import), the follower's watches and reads use B, and a scale made by
 * someone else reaches the status again. Before, it retried A every second for ever.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRestClient, labNodeSpecs, renderKubeconfig, startControlPlane, startSimulatedNodes, waitFor } from '../../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../../harness/index.js';
import { AppsService } from '../../../src/main/apps/apps-service';
import type { AppInstanceStatus } from '../../../src/shared/contract/apps';
import { AppError } from '../../../src/shared/errors';

const CATALOG = join(import.meta.dirname, '../../../resources/catalog');
const CONTEXT = 'rotating';
const USER = 'nestlab-rotating';
const tokenA = randomBytes(24).toString('hex');
const tokenB = randomBytes(24).toString('hex');

let controlPlane: ControlPlane;
let nodes: SimulatedNodes;
let admin: KubeRestClient;
let service: AppsService;
const statuses: AppInstanceStatus[] = [];
/** What the Clusters view holds for the context, read anew at each call (as ClustersService does). */
const imported = { token: tokenA, reads: 0 };

beforeAll(async () => {
  controlPlane = await startControlPlane();
  nodes = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  admin = new KubeRestClient(controlPlane.admin);
  await controlPlane.setExtraTokens([{ token: tokenA, user: USER, groups: ['system:masters'] }]);
  service = new AppsService({
    catalogDir: CATALOG,
    registryMirror: () => Promise.resolve(''),
    provider: {
      kubeConfigFor: (context) => {
        if (context !== CONTEXT) return Promise.reject(new AppError('NOT_FOUND', `no context ${context}`));
        imported.reads += 1;
        const config = new KubeConfig();
        config.loadFromString(renderKubeconfig({ ...controlPlane.admin, token: imported.token }, { user: USER, context: CONTEXT }));
        return Promise.resolve(config);
      },
    },
  });
  service.onDidChangeStatus((status) => statuses.push(status));
});

afterAll(async () => {
  service?.dispose();
  await nodes?.stop();
  await controlPlane?.stop();
});

async function scale(replicas: number): Promise<void> {
  await admin.request('PATCH', '/apis/apps/v1/namespaces/web/deployments/nginx/scale', {
    body: { spec: { replicas } },
    contentType: 'application/merge-patch+json',
  });
}

const desired = () => statuses.at(-1)?.deployments.find((deployment) => deployment.name === 'nginx')?.desired;

describe('an app follower across a credential rotation', () => {
  it('picks up the re-imported credentials and follows a scale made after', async () => {
    const install = await service.install({ context: CONTEXT, namespace: 'web', appId: 'nginx', instance: 'web' });
    expect(install.status).toBe('installed');
    await service.follow(CONTEXT, 'web', 'web');
    await scale(2);
    await waitFor(() => desired() === 2, { timeout: 15_000, description: 'a status with desired 2' });

    // A is revoked and B issued; a little later the Clusters view holds B.
    await controlPlane.setExtraTokens([{ token: tokenB, user: USER, groups: ['system:masters'] }]);
    imported.token = tokenB;
    const readsBefore = imported.reads;
    await scale(4);
    await waitFor(() => desired() === 4, { timeout: 30_000, description: 'a status with desired 4, read with token B' });
    expect(imported.reads).toBeGreaterThan(readsBefore);
  });
});
