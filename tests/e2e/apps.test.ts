/**
 * The Apps view in Chromium against browser mode and a real control plane with simulated Linux
 * and Windows nodes: import the cluster through the UI, deploy from the catalog, watch the
 * rollout become ready with an external IP, move a slider with the keyboard and see the pods
 * follow, see someone else's kubectl scale move the slider, and the YAML panel's line/column.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRestClient, labNodeSpecs, runKubectl, startControlPlane, startSimulatedNodes, waitFor } from '../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../harness/index.js';
import { AppPage } from './pages/app-page';
import { AppsPage } from './pages/apps-page';
import { ClustersPage } from './pages/clusters-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

let browser: Browser;
let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let context: BrowserContext;
let server: BrowserModeServer;
let dataDir: string;
let admin: KubeRestClient;

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  admin = new KubeRestClient(controlPlane.admin);
  // Browser mode offers $KUBECONFIG's contexts; point it at the harness, not the machine's.
  process.env.KUBECONFIG = controlPlane.adminKubeconfigPath;
  browser = await launchChromium();
  dataDir = await tempDir('e2e-apps');
  server = await startBrowserModeServer(dataDir);
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
});

afterAll(async () => {
  await context?.close();
  await server?.stop();
  await browser?.close();
  await simulation?.stop();
  await controlPlane?.stop();
});

async function runningPods(namespace: string, selector: string): Promise<number> {
  const list = await admin.request<{ items: { metadata: { deletionTimestamp?: string }; status: { phase?: string } }[] }>(
    'GET',
    `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`,
  );
  return list.items.filter((pod) => !pod.metadata.deletionTimestamp && pod.status.phase === 'Running').length;
}

describe('Apps view in Chromium', () => {
  it('deploys the voting app from the catalog, shows it ready with an external IP, and scales it with the slider', async () => {
    const app = new AppPage(await context.newPage());
    await app.open(server.url);
    await app.waitConnected();
    await app.openView('Clusters');
    const clusters = new ClustersPage(app.page);
    await clusters.importPath(controlPlane.adminKubeconfigPath);
    await clusters.status('nestlab-admin@nestlab-test').getByText('Reachable').waitFor({ timeout: 20_000 });

    await app.openView('Apps');
    const apps = new AppsPage(app.page);
    await apps.catalogCard('Azure voting app').getByText('Linux', { exact: true }).waitFor();
    await apps.catalogCard('ASP.NET sample (Windows)').getByText('Windows', { exact: true }).waitFor();

    await apps.deploy('Azure voting app', 'vote-e2e');
    const card = apps.instance('azure-vote');
    await card.getByText('Ready', { exact: true }).waitFor({ timeout: 30_000 });
    await card.getByText(/external IP 192\.0\.2\.\d+/).waitFor({ timeout: 30_000 });
    await apps.openLink('azure-vote').waitFor();
    expect(await apps.openLink('azure-vote').getAttribute('href')).toMatch(/^http:\/\/192\.0\.2\.\d+\/$/);
    await apps.counts('azure-vote', 'azure-vote-front').getByText('1/1 ready · 1 running').waitFor();
    // Each slider says its range: the Redis back end's is 0-1, so at its right end it shows its most, not a stuck slider.
    expect(await apps.instance('azure-vote').getByTestId('range-azure-vote-back').textContent()).toBe('of 0–1');
    expect(await apps.slider('azure-vote', 'azure-vote-back').getAttribute('max')).toBe('1');
    expect(await apps.instance('azure-vote').getByTestId('range-azure-vote-front').textContent()).toBe('of 0–10');

    // Keyboard: focus the slider and press the right arrow twice, 1 -> 3 (one debounced scale).
    const slider = apps.slider('azure-vote', 'azure-vote-front');
    await slider.focus();
    await app.page.keyboard.press('ArrowRight');
    await app.page.keyboard.press('ArrowRight');
    expect(await slider.inputValue()).toBe('3');
    await apps.counts('azure-vote', 'azure-vote-front').getByText('3/3 ready · 3 running').waitFor({ timeout: 30_000 });
    await waitFor(async () => (await runningPods('vote-e2e', 'nestlab.dev/app-instance=azure-vote,app=azure-vote-front')) === 3, {
      timeout: 30_000,
      description: 'three Running front-end pods',
    });

    // Mouse: drag the thumb to the far left end (0 replicas).
    const box = await slider.boundingBox();
    if (!box) throw new Error('the slider has no box');
    await app.page.mouse.move(box.x + box.width * (3 / 10), box.y + box.height / 2);
    await app.page.mouse.down();
    await app.page.mouse.move(box.x + 1, box.y + box.height / 2, { steps: 5 });
    await app.page.mouse.up();
    await apps.counts('azure-vote', 'azure-vote-front').getByText('0/0 ready · 0 running').waitFor({ timeout: 30_000 });

    // Someone else scales with kubectl: the slider follows the cluster.
    const scaled = await runKubectl(controlPlane.adminKubeconfigPath, [
      '-n',
      'vote-e2e',
      'scale',
      'deployment/azure-vote-front',
      '--replicas=2',
    ]);
    expect(scaled.exitCode).toBe(0);
    await expect.poll(() => slider.inputValue(), { timeout: 15_000 }).toBe('2');
    await apps.counts('azure-vote', 'azure-vote-front').getByText('2/2 ready · 2 running').waitFor({ timeout: 30_000 });
    await card.screenshot({ path: await screenshotPath('apps-installed.png') });
    await app.page.screenshot({ path: await screenshotPath('apps.png'), fullPage: true });
  });

  it('leads with the port-forward where the external IP cannot be reached, and Pods opens on the app just deployed', async () => {
    const page = context.pages()[0]!;
    const apps = new AppsPage(page);
    // 192.0.2.x (a documentation address) is not reachable from here: the port-forward is the main action.
    const card = apps.instance('azure-vote');
    await card
      .getByTestId('open-unreachable')
      .getByText(/^This computer cannot reach 192\.0\.2\.\d+/)
      .waitFor({ timeout: 20_000 });
    const forward = card
      .getByRole('group', { name: 'Actions for Service azure-vote-front' })
      .getByRole('button', { name: 'Open through port-forward' });
    expect(await forward.getAttribute('class')).toContain('button-primary');
    expect(await apps.openLink('azure-vote').getAttribute('class')).not.toContain('button-primary');
    await forward.click();
    await card.getByTestId('forward-url').waitFor({ timeout: 20_000 });
    expect(await card.getByTestId('forward-url').textContent()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/?$/);

    // Pods opens on the namespace of the last deploy...
    const app = new AppPage(page);
    await app.openView('Pods');
    expect(await page.getByLabel('Namespace (empty: all)', { exact: true }).inputValue()).toBe('vote-e2e');
    await page.locator('tr[data-pod^="azure-vote-front-"]').first().waitFor({ timeout: 20_000 });
    // ...and a new window on every namespace, not "default".
    const fresh = new AppPage(await context.newPage());
    await fresh.open(server.url);
    await fresh.waitConnected();
    await fresh.openView('Pods');
    expect(await fresh.page.getByLabel('Namespace (empty: all)', { exact: true }).inputValue()).toBe('');
    await fresh.page.locator('tr[data-pod^="azure-vote-back-"]').first().waitFor({ timeout: 20_000 });
    await fresh.page.close();
    await app.openView('Apps');

    // The deploy check counts the two Linux workers, not the tainted control-plane node.
    await page.getByRole('button', { name: 'Deploy Azure voting app', exact: true }).click();
    const form = apps.deployForm('Azure voting app');
    await form.getByLabel('Namespace', { exact: true }).fill('vote-check');
    await form.getByLabel('Instance name', { exact: true }).fill('vote-check');
    await form.getByRole('button', { name: 'Check', exact: true }).click();
    await form.getByText('Preflight passed: 2 Ready node(s) of this OS; nothing in the way.').waitFor({ timeout: 20_000 });
    await form.getByRole('button', { name: 'Cancel', exact: true }).click();
  });

  it('reports invalid YAML with its line and column and offers Apply only after a passing dry run', async () => {
    const apps = new AppsPage(context.pages()[0]!);
    await apps.yamlEditor.fill('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a: b\n');
    await apps.page.getByRole('button', { name: 'Dry run', exact: true }).click();
    await apps.yamlResults.getByText(/Document 1, line 4, column \d+/).waitFor();
    expect(await apps.page.getByRole('button', { name: 'Apply', exact: true }).isDisabled()).toBe(true);

    await apps.yamlEditor.fill('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: "1"\n');
    await apps.page.getByLabel('Namespace for objects that name none', { exact: true }).fill('vote-e2e');
    await apps.page.getByRole('button', { name: 'Dry run', exact: true }).click();
    await apps.yamlResults.getByRole('cell', { name: 'would be created', exact: true }).waitFor();
    await apps.page.getByRole('button', { name: 'Apply', exact: true }).click();
    await apps.yamlResults.getByRole('cell', { name: 'created', exact: true }).waitFor();
    await admin.request('GET', '/api/v1/namespaces/vote-e2e/configmaps/from-yaml');
  });

  it('deploys to the imported context, chosen and marked active in the Cluster picker', async () => {
    const apps = new AppsPage(context.pages()[0]!);
    expect(await apps.contextPicker.inputValue()).toBe('nestlab-admin@nestlab-test');
    expect(await apps.contextPicker.locator('option:checked').textContent()).toBe('nestlab-admin@nestlab-test (active)');
  });
});

async function screenshotPath(name: string): Promise<string> {
  const dir = process.env.NESTLAB_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
  await mkdir(dir, { recursive: true });
  return join(dir, name);
}
