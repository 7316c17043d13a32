/**
 * The Pods view in Chromium against browser mode, a real control plane and the harness's
 * simulated kubelets (which the real API server proxies logs, exec and port-forward to): deploy
 * the voting app, follow a pod's logs, exec from the pods list and type into the terminal, resize
 * it and read `stty size`, and load the front end's page through a port-forward.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labNodeSpecs, startControlPlane, startSimulatedNodes, waitFor } from '../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../harness/index.js';
import { AppPage } from './pages/app-page';
import { AppsPage } from './pages/apps-page';
import { ClustersPage } from './pages/clusters-page';
import { PodsPage } from './pages/pods-page';
import { TerminalsPage } from './pages/terminals-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

const NAMESPACE = 'vote-pods';

let browser: Browser;
let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let context: BrowserContext;
let server: BrowserModeServer;
let dataDir: string;
let pods: PodsPage;
let frontPod: string;
const savedKubeconfig = process.env.KUBECONFIG;

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  // Browser mode offers $KUBECONFIG's contexts; point it at the harness, not the machine's.
  process.env.KUBECONFIG = controlPlane.adminKubeconfigPath;
  browser = await launchChromium();
  dataDir = await tempDir('e2e-pods');
  server = await startBrowserModeServer(dataDir);
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme: 'dark' });

  // The voting app, deployed through the UI as a user would.
  const app = new AppPage(await context.newPage());
  await app.open(server.url);
  await app.waitConnected();
  await app.openView('Clusters');
  const clusters = new ClustersPage(app.page);
  await clusters.importPath(controlPlane.adminKubeconfigPath);
  await clusters.status('nestlab-admin@nestlab-test').getByText('Reachable').waitFor({ timeout: 20_000 });
  await app.openView('Apps');
  const apps = new AppsPage(app.page);
  await apps.deploy('Azure voting app', NAMESPACE);
  await apps.instance('azure-vote').getByText('Ready', { exact: true }).waitFor({ timeout: 30_000 });

  await app.openView('Pods');
  pods = new PodsPage(app.page);
  await pods.showNamespace(NAMESPACE);
  await pods.page.locator('tr[data-pod^="azure-vote-front-"]').first().waitFor({ timeout: 15_000 });
  frontPod = (await pods.podNames('azure-vote-front-'))[0]!;
});

afterAll(async () => {
  await context?.close();
  await server?.stop();
  await browser?.close();
  await simulation?.stop();
  await controlPlane?.stop();
  process.env.KUBECONFIG = savedKubeconfig;
});

describe('Pods view in Chromium', () => {
  it('lists the pods of the imported context, chosen and marked active in the Cluster picker', async () => {
    expect(await pods.contextPicker.inputValue()).toBe('nestlab-admin@nestlab-test');
    expect(await pods.contextPicker.locator('option:checked').textContent()).toBe('nestlab-admin@nestlab-test (active)');
  });

  it('filters by name and labels with a count, sorts by a header, and moves through the rows with the keyboard', async () => {
    const all = await pods.podNames('azure-vote-');
    expect(all.length).toBeGreaterThanOrEqual(2);
    await expect.poll(() => pods.count.textContent()).toBe(`${all.length} of ${all.length} pods`);

    await pods.filterField('Name').fill('FRONT');
    await expect.poll(() => pods.podNames('')).toEqual(all.filter((name) => name.startsWith('azure-vote-front-')));
    expect(await pods.count.textContent()).toBe(`${all.filter((name) => name.includes('front')).length} of ${all.length} pods`);
    await pods.filterField('Name').fill('');
    await pods.filterField('Labels').fill('app=azure-vote-back');
    await expect.poll(() => pods.podNames('')).toEqual(all.filter((name) => name.startsWith('azure-vote-back-')));
    await pods.filterField('Labels').fill('app=azure vote');
    await pods.page.getByText('"app=azure vote" is not a label requirement').waitFor();
    expect(await pods.filterField('Labels').getAttribute('aria-invalid')).toBe('true');
    await pods.filterField('Labels').fill('');
    await expect.poll(() => pods.podNames('')).toHaveLength(all.length);

    // Problems first by default; a header click sorts every row by its column.
    expect(await pods.columnHeader('Status').getAttribute('aria-sort')).toBe('ascending');
    await pods.columnHeader('Name').getByRole('button').click();
    expect(await pods.columnHeader('Name').getAttribute('aria-sort')).toBe('ascending');
    expect(await pods.columnHeader('Status').getAttribute('aria-sort')).toBe('none');
    const sorted = await pods.podNames('');
    expect(sorted).toEqual([...all].sort());
    await pods.columnHeader('Name').getByRole('button').click();
    await expect.poll(() => pods.podNames('')).toEqual([...all].sort().reverse());

    // Rows take the focus: arrows, End and Home move it; Enter goes to the row's actions, Escape back.
    const order = await pods.podNames('');
    await pods.row(order[0]!).focus();
    await pods.page.keyboard.press('ArrowDown');
    expect(await pods.focusedPod()).toBe(order[1]);
    await pods.page.keyboard.press('End');
    expect(await pods.focusedPod()).toBe(order.at(-1));
    await pods.page.keyboard.press('Home');
    expect(await pods.focusedPod()).toBe(order[0]);
    await pods.page.keyboard.press('Enter');
    await expect.poll(() => pods.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Logs of ${order[0]}`);
    await pods.page.keyboard.press('Escape');
    expect(await pods.focusedPod()).toBe(order[0]);
    await pods.columnHeader('Status').getByRole('button').click();
  });

  it('opens the logs of a running pod of the voting app and shows lines arriving, colours parsed, not as markup', async () => {
    await pods.action(frontPod, 'Logs of').click();
    await pods.page.getByRole('region', { name: new RegExp(`^Logs of ${NAMESPACE}/${frontPod}`) }).waitFor();
    await expect.poll(() => pods.lineCount(), { timeout: 15_000 }).toBeGreaterThan(100);
    const first = await pods.lineCount();
    // The simulated container writes a line a second: following shows them as they come.
    await expect.poll(() => pods.lineCount(), { timeout: 15_000 }).toBeGreaterThan(first);
    expect(await pods.logStatus.textContent()).toMatch(/^Following/);
    const rendered = await pods.renderedLogLines();
    expect(rendered.length).toBeGreaterThan(10);
    // Only the rows in view are in the DOM, however many lines the view holds.
    expect(rendered.length).toBeLessThan(120);
    expect(rendered.some((line) => /rid=\w+-\d+$/.test(line))).toBe(true);
    // The kubelet's ANSI colours became styles; no escape code is left in the text.
    expect(rendered.join('\n')).not.toContain('\x1b');
    await expect.poll(() => pods.logs.locator('span[style*="--ansi-"]').count(), { timeout: 15_000 }).toBeGreaterThan(0);

    // Search highlights matches and counts them.
    await pods.page.getByRole('searchbox', { name: 'Search the log' }).fill('rid=');
    await expect.poll(async () => (await pods.page.getByTestId('log-matches').textContent()) ?? '').toMatch(/^\d+ of \d+$/);
    expect(await pods.logs.locator('mark').count()).toBeGreaterThan(0);
    await pods.page.screenshot({ path: await screenshotPath('pods-logs.png'), fullPage: true });
  });

  it('execs into the pod from the pods list, echoes typed input back, and passes a resize to the remote side', async () => {
    await pods.openView('Pods');
    await pods.action(frontPod, 'Exec into').click();
    await pods.page.getByRole('heading', { level: 1, name: 'Terminals' }).waitFor();
    const terminals = new TerminalsPage(pods.page);
    await terminals.tab(`pod: ${frontPod}/azure-vote-front`).waitFor();
    await waitFor(() => simulation.kubelets!.execSessions({ pod: frontPod }).some((session) => session.running), {
      timeout: 15_000,
      description: 'the exec process running on the simulated kubelet',
    });
    await terminals.typeLine('echo hi');
    await terminals.waitForScreen(/^hi$/m);

    const before = simulation
      .kubelets!.execSessions({ pod: frontPod })
      .find((session) => session.running)!
      .resizes.at(-1);
    await pods.page.setViewportSize({ width: 1000, height: 700 });
    await waitFor(
      () => {
        const last = simulation
          .kubelets!.execSessions({ pod: frontPod })
          .find((session) => session.running)
          ?.resizes.at(-1);
        return last !== undefined && (last.cols !== before?.cols || last.rows !== before?.rows) ? last : undefined;
      },
      { timeout: 10_000, description: 'a resize on the exec session' },
    );
    const size = simulation
      .kubelets!.execSessions({ pod: frontPod })
      .find((session) => session.running)!
      .resizes.at(-1)!;
    await terminals.typeLine('stty size');
    await terminals.waitForScreen(new RegExp(`^${size.rows} ${size.cols}$`, 'm'));
    await pods.page.setViewportSize({ width: 1400, height: 1000 });
  });

  it('forwards the front end through a local port on 127.0.0.1 and loads the page through it', async () => {
    await pods.openView('Pods');
    await pods.action(frontPod, 'Forward a port of').click();
    const form = pods.forwardForm(frontPod);
    expect(await form.getByLabel('Pod port').inputValue()).toBe('80');
    await form.getByRole('button', { name: 'Start forwarding' }).click();
    await pods.forwardUrls.first().waitFor();
    const url = (await pods.forwardUrls.first().textContent()) ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await (await fetch(url)).text();
    expect(page).toContain('Azure Voting App');

    await pods.page.getByRole('button', { name: 'Stop', exact: true }).click();
    await pods.forwardUrls.first().waitFor({ state: 'detached' });
    await expect(fetch(url)).rejects.toThrow();
  });
});

async function screenshotPath(name: string): Promise<string> {
  const dir = process.env.NESTLAB_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
  await mkdir(dir, { recursive: true });
  return join(dir, name);
}
