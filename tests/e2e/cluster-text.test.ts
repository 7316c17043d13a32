/**
 * Text that comes from a cluster or a kubeconfig is data: shown as inert text however it is
 * written, and cut to a preview however long it is. In Chromium against browser mode and a real
 * control plane: a Deployment made with kubectl carries 10,000 labels, a 200 KB annotation,
 * markup in an annotation and in its image, and Events with 1 MB messages that start with
 * markup; a kubeconfig context is named with markup. The Topology details, the Pods details and
 * events, and the Clusters view show all of it as text, with "Show all" for the rest.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { labNodeSpecs, runKubectl, startControlPlane, startSimulatedNodes } from '../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../harness/index.js';
import { AppPage } from './pages/app-page';
import { ClustersPage } from './pages/clusters-page';
import { HostsPage } from './pages/hosts-page';
import { PodsPage } from './pages/pods-page';
import { TerminalsPage } from './pages/terminals-page';
import { TopologyPage } from './pages/topology-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

const NAMESPACE = 'cluster-text';
const CONTEXT = 'nestlab-admin@nestlab-test';
/** Would create an image element and a bold element (and change the title) if it were parsed as HTML. */
const MARKUP = `<img src=x onerror="document.title='injected'"><b>nestlab-markup</b>`;
const LABEL_COUNT = 10_000;
const BIG_ANNOTATION = 200_000;
const BIG_MESSAGE = 1024 * 1024;

let browser: Browser;
let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let context: BrowserContext;
let server: BrowserModeServer;
let workDir: string;
let page: Page;
let app: AppPage;

async function kubectl(...args: string[]): Promise<string> {
  const result = await runKubectl(controlPlane.adminKubeconfigPath, args);
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout;
}

/** `kubectl create -f` of a JSON manifest (apply would copy it into a last-applied annotation, over the 256 KB limit). */
async function create(name: string, manifest: object): Promise<void> {
  const path = join(workDir, `${name}.json`);
  await writeFile(path, JSON.stringify(manifest));
  await kubectl('create', '-f', path);
}

function manyLabels(): Record<string, string> {
  const labels: Record<string, string> = {};
  for (let index = 0; index < LABEL_COUNT; index++) labels[`l-${String(index).padStart(5, '0')}`] = `v${index}`;
  return labels;
}

function event(name: string, involvedObject: { kind: string; name: string; uid?: string; apiVersion: string }) {
  const now = new Date().toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace: NAMESPACE },
    involvedObject: { ...involvedObject, namespace: NAMESPACE },
    reason: 'HugeMessage',
    message: MARKUP + 'm'.repeat(BIG_MESSAGE),
    type: 'Warning',
    count: 1,
    firstTimestamp: now,
    lastTimestamp: now,
    source: { component: 'nestlab-e2e' },
  };
}

/** What would show that markup was parsed: an element it creates, a changed title, a CSP report. */
async function injectionTraces(target: Page) {
  return target.evaluate(() => ({
    images: document.querySelectorAll('img[src="x"]').length,
    bold: [...document.querySelectorAll('b')].filter((element) => element.textContent === 'nestlab-markup').length,
    title: document.title,
    cspViolations: (window as unknown as { cspViolations: string[] }).cspViolations,
  }));
}

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  workDir = await tempDir('e2e-cluster-text');
  server = await startBrowserModeServer(join(workDir, 'data'));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.addInitScript(() => {
    const violations: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = violations;
    document.addEventListener('securitypolicyviolation', (event) => {
      violations.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber} ${event.sample}`);
    });
  });

  await kubectl('create', 'namespace', NAMESPACE);
  const labels = manyLabels();
  await create('deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'huge', namespace: NAMESPACE, labels: { app: 'huge', ...labels } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'huge' } },
      template: {
        metadata: {
          labels: { app: 'huge', ...labels },
          annotations: { 'nestlab.dev/big': 'a'.repeat(BIG_ANNOTATION), 'nestlab.dev/markup': MARKUP },
        },
        spec: {
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [{ name: 'main', image: MARKUP }],
        },
      },
    },
  });
  await create('deployment-event', event('huge-deployment', { kind: 'Deployment', name: 'huge', apiVersion: 'apps/v1' }));

  page = await context.newPage();
  app = new AppPage(page);
  await app.open(server.url);
  await app.waitConnected();
  await app.openView('Clusters');
  const clusters = new ClustersPage(page);
  await clusters.importPath(controlPlane.adminKubeconfigPath);
  await clusters.status(CONTEXT).getByText('Reachable').waitFor({ timeout: 20_000 });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
  await simulation?.stop();
  await controlPlane?.stop();
});

describe('text from a cluster in Chromium', () => {
  it('Topology details: 10,000 labels show the first 20 with "Show all", a 1 MB event message a preview, markup as text', async () => {
    await app.openView('Topology');
    const topology = new TopologyPage(page);
    await topology.state.getByText('Live').waitFor({ timeout: 30_000 });
    await topology.group('huge').waitFor({ timeout: 30_000 });
    await topology.group('huge').click();

    const labels = topology.details.getByRole('region', { name: 'Labels' });
    await labels.waitFor();
    expect(await labels.getByRole('heading').textContent()).toBe(`Labels (${(LABEL_COUNT + 1).toLocaleString('en-US')})`);
    expect(await labels.locator('li').count()).toBe(20);

    const events = topology.details.locator('.topology-events');
    await events.getByText('HugeMessage').waitFor({ timeout: 20_000 });
    const eventText = (await events.textContent()) ?? '';
    expect(eventText).toContain(MARKUP);
    expect(eventText.length).toBeLessThan(1_000);
    expect(eventText).toContain(`Show all (${(BIG_MESSAGE + MARKUP.length - 300).toLocaleString('en-US')} more characters)`);

    // All of them on request, and back.
    await labels.getByRole('button', { name: `Show all ${(LABEL_COUNT + 1).toLocaleString('en-US')} labels` }).click();
    await expect.poll(() => labels.locator('li').count(), { timeout: 20_000 }).toBe(LABEL_COUNT + 1);
    expect(await labels.locator('li').last().textContent()).toBe('l-09999=v9999');
    await labels.getByRole('button', { name: 'Show the first 20 labels' }).click();
    await expect.poll(() => labels.locator('li').count()).toBe(20);

    await events.getByRole('button', { name: /^Show all/ }).click();
    expect(((await events.getByTestId('long-text-full').textContent()) ?? '').length).toBe(BIG_MESSAGE + MARKUP.length);
    expect(await injectionTraces(page)).toEqual({ images: 0, bold: 0, title: 'Nestlab', cspViolations: [] });
  }, 120_000);

  it('Pods details and events: labels, a 200 KB annotation, markup in an annotation and the image, a 1 MB message', async () => {
    await app.openView('Pods');
    const pods = new PodsPage(page);
    await pods.showNamespace(NAMESPACE);
    await page.locator('tr[data-pod^="huge-"]').first().waitFor({ timeout: 30_000 });
    const [pod] = await pods.podNames('huge-');
    const podObject = JSON.parse(await kubectl('get', 'pod', '-n', NAMESPACE, pod!, '-o', 'json')) as { metadata: { uid: string } };
    await create('pod-event', event('huge-pod', { kind: 'Pod', name: pod!, uid: podObject.metadata.uid, apiVersion: 'v1' }));

    await pods.action(pod!, 'Details of').click();
    const details = page.getByRole('region', { name: `Details · Pod ${NAMESPACE}/${pod}` });
    const labels = details.getByRole('region', { name: 'Labels' });
    await labels.waitFor({ timeout: 20_000 });
    expect(await labels.locator('li').count()).toBe(20);
    await labels.getByRole('button', { name: /^Show all [\d,]+ labels$/ }).waitFor();

    const annotations = details.getByRole('region', { name: 'Annotations' });
    const big = annotations.locator('li').filter({ hasText: 'nestlab.dev/big=' });
    expect(((await big.textContent()) ?? '').length).toBeLessThan(1_000);
    await big.getByRole('button', { name: `Show all (${(BIG_ANNOTATION - 300).toLocaleString('en-US')} more characters)` }).click();
    expect(((await big.getByTestId('long-text-full').textContent()) ?? '').length).toBe(BIG_ANNOTATION);
    expect(await annotations.locator('li').filter({ hasText: 'nestlab.dev/markup=' }).textContent()).toBe(`nestlab.dev/markup=${MARKUP}`);
    expect(await details.getByRole('table').filter({ hasText: 'Image' }).locator('code').first().textContent()).toBe(MARKUP);

    await pods.action(pod!, 'Events of').click();
    const eventsPanel = page.getByRole('region', { name: `Events · Pod ${NAMESPACE}/${pod}` });
    const row = eventsPanel.getByRole('row').filter({ hasText: 'HugeMessage' });
    await row.waitFor({ timeout: 20_000 });
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain(MARKUP);
    expect(rowText.length).toBeLessThan(1_000);
    expect(await injectionTraces(page)).toEqual({ images: 0, bold: 0, title: 'Nestlab', cspViolations: [] });
  }, 120_000);

  it('a context named with markup is text in the Clusters view and the cluster pickers', async () => {
    const kubeconfig = parse(await readFile(controlPlane.adminKubeconfigPath, 'utf8')) as {
      clusters: { name: string }[];
      users: { name: string }[];
      contexts: { name: string; context: { cluster: string; user: string } }[];
      'current-context': string;
    };
    kubeconfig.clusters[0]!.name = 'markup-cluster';
    kubeconfig.users[0]!.name = 'markup-user';
    kubeconfig.contexts[0] = { name: MARKUP, context: { cluster: 'markup-cluster', user: 'markup-user' } };
    kubeconfig['current-context'] = MARKUP;
    await app.openView('Clusters');
    const clusters = new ClustersPage(page);
    await clusters.importFile('markup.kubeconfig', stringify(kubeconfig));
    await clusters.context(MARKUP).waitFor({ timeout: 20_000 });
    expect(await clusters.context(MARKUP).textContent()).toContain(MARKUP);

    await app.openView('Pods');
    const picker = new PodsPage(page).contextPicker;
    await expect.poll(() => picker.locator('option').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(MARKUP)]));
    expect(await injectionTraces(page)).toEqual({ images: 0, bold: 0, title: 'Nestlab', cspViolations: [] });
  }, 60_000);

  it('a host named with markup is text in the Hosts view', async () => {
    await app.openView('Hosts');
    const hosts = new HostsPage(page);
    await hosts.openAddForm();
    // Saving connects nowhere; the address is loopback's discard port in case anything tries.
    await hosts.fillForm({ name: MARKUP, address: '127.0.0.1', port: '9', user: 'lab', password: 'not-a-real-password' });
    await hosts.submitWithEnter();
    const card = page.getByTestId('host-card').filter({ hasText: MARKUP });
    await card.waitFor({ timeout: 20_000 });
    expect(await card.getByRole('heading').first().textContent()).toBe(MARKUP);
    expect(await injectionTraces(page)).toEqual({ images: 0, bold: 0, title: 'Nestlab', cspViolations: [] });
  }, 60_000);

  it('the Terminals view names the markup context and host as text: the new-terminal form and the tab', async () => {
    await app.openView('Terminals');
    const terminals = new TerminalsPage(page);
    await terminals.page.getByLabel('Type').selectOption('ssh');
    const hostOptions = page.getByRole('form', { name: 'New terminal' }).getByLabel('Host', { exact: true }).locator('option');
    expect(await hostOptions.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(MARKUP)]));
    await terminals.openLocalShell(MARKUP);
    expect(await terminals.tab(/./).last().textContent()).toContain(MARKUP);
    expect(await injectionTraces(page)).toEqual({ images: 0, bold: 0, title: 'Nestlab', cspViolations: [] });
  }, 60_000);

  it('browser mode grants no browser permission: camera, microphone and location are denied without a prompt', async () => {
    const answers = await page.evaluate(async () => {
      const states: Record<string, string> = {};
      for (const name of ['camera', 'microphone', 'geolocation'] as const) {
        states[name] = (await navigator.permissions.query({ name: name })).state;
      }
      return states;
    });
    expect(answers).toEqual({ camera: 'denied', microphone: 'denied', geolocation: 'denied' });
    const response = await page.request.get(server.url.replace(/#.*/, ''));
    expect(response.headers()['permissions-policy']).toMatch(/camera=\(\).*microphone=\(\).*geolocation=\(\)/);
  });
});
