/**
 * Errors stay visible at scale (issue 23): a real control plane filled with 3,000 pods in about
 * 300 Deployments (the harness's pod fill: pods created bound to simulated Linux and Windows
 * nodes, a few crash-looping, waiting for an image or unschedulable, two nodes NotReady). That
 * is over the map's box budget, so it folds what is healthy; the crash-looping pod must still be
 * drawn inside its collapsed Deployment, the NotReady nodes must still have their boxes, and the
 * pods list must show the failing pod among the first rows of 3,000 with its reason.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillCluster, scaleControlPlaneOptions, startControlPlane } from '../harness/index.js';
import type { ControlPlane, FailingPod, FilledCluster } from '../harness/index.js';
import { AppPage } from './pages/app-page';
import { ClustersPage } from './pages/clusters-page';
import { PodsPage } from './pages/pods-page';
import { TopologyPage } from './pages/topology-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

const PODS = 3_000;

let browser: Browser;
let controlPlane: ControlPlane;
let fill: FilledCluster;
let context: BrowserContext;
let server: BrowserModeServer;
let crashing: FailingPod;

beforeAll(async () => {
  controlPlane = await startControlPlane(scaleControlPlaneOptions(PODS));
  // Ten pods per Deployment: some 300 workloads, Services and EndpointSlices, over the map's budget.
  fill = await fillCluster(controlPlane, { pods: PODS, podsPerDeployment: 10, simulation: { kubelets: false } });
  crashing = fill.plan.failing.find((pod) => pod.failure === 'CrashLoopBackOff')!;
  server = await startBrowserModeServer(await tempDir('e2e-scale-failing-pod'));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
  const app = new AppPage(await context.newPage());
  await app.open(server.url);
  await app.waitConnected();
  await app.openView('Clusters');
  const clusters = new ClustersPage(app.page);
  await clusters.importPath(controlPlane.adminKubeconfigPath);
  await clusters.status('nestlab-admin@nestlab-test').getByText('Reachable').waitFor({ timeout: 30_000 });
  await app.page.close();
}, 600_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
  await fill?.stop();
  await controlPlane?.stop();
});

async function openView(view: 'Topology' | 'Pods'): Promise<Page> {
  const page = await context.newPage();
  const app = new AppPage(page);
  await app.open(server.url);
  await app.waitConnected();
  await app.openView(view);
  return page;
}

describe(`${PODS.toLocaleString('en-US')} pods on simulated nodes, some failing`, () => {
  it('the map folds what is healthy but draws the crash-looping pod inside its collapsed Deployment, and the NotReady nodes', async () => {
    const page = await openView('Topology');
    const topology = new TopologyPage(page);
    await topology.state.getByText('Live').waitFor({ timeout: 60_000 });
    await topology.map.locator('[data-testid="topology-group"]').first().waitFor({ timeout: 30_000 });

    // Simplified: some healthy nodes or namespaces are drawn as one box.
    expect(await topology.map.locator('[data-testid="topology-pool"], [data-testid="topology-namespace"]').count()).toBeGreaterThan(0);

    const group = topology.group(crashing.deployment);
    await group.waitFor({ timeout: 30_000 });
    // Collapsed: it draws its failing (and not ready) pods, not its healthy ones.
    const planned = fill.plan.apps.find((app) => app.namespace === crashing.namespace && app.name === crashing.deployment)!;
    expect(await topology.podCount(crashing.deployment)).toBe(`${planned.pods.length} pods`);
    const drawn = await topology.map.locator(`[data-testid="topology-pod"][data-name^="${crashing.deployment}-"]`).count();
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThan(planned.pods.length);
    const pod = topology.box('pod', crashing.name);
    await pod.waitFor({ timeout: 30_000 });
    expect(await pod.textContent()).toContain('CrashLoopBackOff');
    const groupBox = (await group.boundingBox())!;
    const podBox = (await pod.boundingBox())!;
    expect(podBox.x).toBeGreaterThanOrEqual(groupBox.x);
    expect(podBox.y).toBeGreaterThanOrEqual(groupBox.y);
    expect(podBox.x + podBox.width).toBeLessThanOrEqual(groupBox.x + groupBox.width + 1);
    expect(podBox.y + podBox.height).toBeLessThanOrEqual(groupBox.y + groupBox.height + 1);

    for (const name of fill.plan.notReadyNodes) await topology.node(name).waitFor({ timeout: 30_000 });
    await page.close();
  });

  it('the pods list shows the failing pods first among all 3,000, with their reason', async () => {
    const page = await openView('Pods');
    const pods = new PodsPage(page);
    await pods.count.getByText(/3,000 pods/).waitFor({ timeout: 60_000 });
    const row = pods.row(crashing.name);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('CrashLoopBackOff');
    // Problems first: the failing pods fill the first rows, before any healthy one.
    const health = await page.locator('tr[data-pod]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-health')));
    expect(health[0]).not.toBe('ok');
    await page.close();
  });
});
