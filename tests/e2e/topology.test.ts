/**
 * The Topology view in Chromium against browser mode and a real control plane with simulated
 * Linux and Windows nodes: the map shows the nodes, and follows `kubectl scale` live.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { labNodeSpecs, runKubectl, startApiFront, startControlPlane, startSimulatedNodes, writeKubeconfig } from '../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../harness/index.js';
import { AppPage } from './pages/app-page';
import { ClustersPage } from './pages/clusters-page';
import { TopologyPage } from './pages/topology-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

let browser: Browser;
let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let context: BrowserContext;
let server: BrowserModeServer;
let dataDir: string;

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  dataDir = await tempDir('e2e-topology');
  server = await startBrowserModeServer(dataDir);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
  await simulation?.stop();
  await controlPlane?.stop();
});

async function kubectl(...args: string[]): Promise<void> {
  const result = await runKubectl(controlPlane.adminKubeconfigPath, args);
  expect(result.exitCode, result.stderr).toBe(0);
}

/** A fresh page on the live map (the first test imported the context; the map opens on it). */
async function openMap() {
  const page = await context.newPage();
  const app = new AppPage(page);
  await app.open(server.url);
  await app.waitConnected();
  await app.openView('Topology');
  const topology = new TopologyPage(page);
  await topology.state.getByText('Live').waitFor({ timeout: 30_000 });
  return { page, topology };
}

describe('Topology view in Chromium', () => {
  it('maps the simulated Linux and Windows nodes and follows kubectl scale live', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    const app = new AppPage(page);
    await app.open(server.url);
    await app.waitConnected();
    await app.openView('Clusters');
    const clusters = new ClustersPage(app.page);
    await clusters.importPath(controlPlane.adminKubeconfigPath);
    await clusters.status('nestlab-admin@nestlab-test').getByText('Reachable').waitFor({ timeout: 20_000 });

    await app.openView('Topology');
    const topology = new TopologyPage(app.page);
    await topology.state.getByText('Live').waitFor({ timeout: 30_000 });
    try {
      for (const name of ['sim-control-plane-1', 'sim-linux-1', 'sim-linux-2', 'sim-windows-1']) await topology.node(name).waitFor();
    } catch (error) {
      await page.screenshot({ path: 'test-results/topology-failure.png' });
      throw new Error(`${String(error)}\npage problems:\n${problems.join('\n')}\nmap: ${(await topology.map.innerHTML()).slice(0, 1500)}`, {
        cause: error,
      });
    }
    expect(await topology.node('sim-windows-1').textContent()).toContain('Windows');
    expect(await topology.node('sim-linux-1').textContent()).toContain('Linux');
    expect(await topology.node('sim-control-plane-1').textContent()).toContain('control plane');
    expect(await topology.node('sim-linux-1').textContent()).toContain('Ready');

    await kubectl('create', 'deployment', 'web', '--image=nginx:1.19', '--replicas=2');
    await topology.group('web').waitFor({ timeout: 30_000 });
    await expect.poll(() => topology.podCount('web'), { timeout: 30_000 }).toBe('2 pods');

    await kubectl('scale', 'deployment', 'web', '--replicas=12');
    await expect.poll(() => topology.podCount('web'), { timeout: 30_000 }).toBe('12 pods');
    // Twelve pods are more than a group shows by default: the group is one box with a count.
    expect(await topology.map.locator('[data-testid="topology-pod"]').count()).toBe(0);

    await kubectl('scale', 'deployment', 'web', '--replicas=3');
    await expect.poll(() => topology.podCount('web'), { timeout: 30_000 }).toBe('3 pods');
    await expect.poll(() => topology.map.locator('[data-testid="topology-pod"]').count(), { timeout: 30_000 }).toBe(3);

    // The details panel shows the workload's status in words and its recent events.
    await topology.group('web').click();
    await topology.details.getByText('Recent events').waitFor();
    expect(await topology.details.textContent()).toMatch(/3\/3 ready|ready/);
    await app.page.screenshot({ path: 'test-results/topology.png' });
  }, 120_000);

  it('draws an Ingress in front of its Service', async () => {
    const { page, topology } = await openMap();
    await kubectl('expose', 'deployment', 'web', '--port=80');
    await kubectl('create', 'ingress', 'front', '--rule=lab.example/*=web:80');
    await topology.box('ingress', 'front').waitFor({ timeout: 30_000 });
    expect(await topology.box('ingress', 'front').textContent()).toContain('lab.example');
    await topology.box('service', 'web').waitFor();
    await topology.box('ingress', 'front').click();
    await topology.details.getByText('Routes to Service web').waitFor();
    await page.close();
  }, 60_000);

  it('keeps the text of a small map while the wheel zooms, and a box takes a click right after a drag', async () => {
    // Large maps draw boxes without text while zooming (gesture-classes.ts; the benchmark measures
    // that case): this one has a handful of boxes, so the text stays.
    const { page, topology } = await openMap();
    const node = topology.node('sim-linux-1');
    await node.locator('.topology-card-name').waitFor();

    // Visibility of the node's name at each class change of the map, until the gesture has settled.
    const seen = page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const map = document.querySelector('.react-flow')!;
          const name = document.querySelector('[data-testid="topology-node"][data-name="sim-linux-1"] .topology-card-name')!;
          const states: string[] = [];
          let moved = false;
          new MutationObserver(() => {
            states.push(getComputedStyle(name).visibility);
            moved ||= map.classList.contains('topology-moving');
            if (moved && !map.classList.contains('topology-moving')) resolve(states);
          }).observe(map, { attributes: true, attributeFilter: ['class'] });
        }),
    );
    const box = (await topology.map.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -100);
    const states = await seen;
    expect(states.length).toBeGreaterThanOrEqual(2);
    expect(states.every((state) => state === 'visible')).toBe(true);

    // Drag the map, then click the box at once: the details show it.
    await page.mouse.move(box.x + 20, box.y + box.height - 20);
    await page.mouse.down();
    for (let step = 1; step <= 5; step += 1) await page.mouse.move(box.x + 20 + step * 10, box.y + box.height - 20 - step * 5);
    await page.mouse.up();
    await node.click();
    await expect.poll(() => topology.details.textContent()).toContain('sim-linux-1');
    await page.close();
  }, 60_000);

  it('keeps every box where it was when the details panel opens', async () => {
    const { page, topology } = await openMap();
    await topology.node('sim-linux-1').waitFor();
    // Let the first layout (and its refinement) settle before measuring.
    await expect.poll(() => topology.map.getAttribute('data-placement'), { timeout: 30_000 }).toBe('elk');
    const layoutRuns = await topology.map.getAttribute('data-layout-runs');
    const watch = await watchBoxes(topology);
    await openDetails(topology, 'sim-linux-1');
    expect(await watch.moves()).toEqual([]);
    expect(await watch.boxes()).toEqual(watch.before);
    expect(await topology.map.getAttribute('data-layout-runs')).toBe(layoutRuns);
    await page.close();
  }, 60_000);

  it('keeps every box where it was when a box is opened before ELK has refined the first places', async () => {
    // ELK's worker takes seconds to start on a busy machine: a user clicks the first map they see,
    // placed by the quick layout, and its refinement used to move every box after the click.
    const page = await context.newPage();
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/elk-worker*', async (route) => {
      await held;
      await route.continue();
    });
    const app = new AppPage(page);
    await app.open(server.url);
    await app.waitConnected();
    await app.openView('Topology');
    const topology = new TopologyPage(page);
    await topology.node('sim-linux-1').waitFor({ timeout: 30_000 });
    expect(await topology.map.getAttribute('data-placement')).toBe('quick');
    const watch = await watchBoxes(topology);
    await openDetails(topology, 'sim-linux-1');

    // Now ELK runs: its run finishes, and the boxes stay where the user saw them.
    release();
    await expect.poll(() => topology.map.getAttribute('data-layout-runs'), { timeout: 30_000 }).toBe('1');
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(await watch.moves()).toEqual([]);
    expect(await watch.boxes()).toEqual(watch.before);
    expect(await topology.map.getAttribute('data-placement')).toBe('quick');
    await page.close();
  }, 60_000);

  // Last: importing a second context makes it the active one, which the map follows.
  it('names the kinds it is still listing while the API server is slow to list pods', async () => {
    // A large cluster's pods take tens of seconds to list (100,000: 21-25 s); a front holds the
    // pod list of a second context to the real API server until the page has been looked at.
    const front = await startApiFront({
      upstream: controlPlane.server,
      caCertPath: controlPlane.caCertPath,
      caKeyPath: controlPlane.caKeyPath,
      dir: dataDir,
    });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const isPodList = (url: string) => {
      const parsed = new URL(url, 'https://front');
      return parsed.pathname === '/api/v1/pods' && parsed.searchParams.get('watch') !== 'true';
    };
    front.hold = (request) => (isPodList(request.url) ? held : undefined);
    const kubeconfig = join(dataDir, 'slow-pods.kubeconfig');
    await writeKubeconfig(
      kubeconfig,
      { server: front.server, token: controlPlane.adminToken, caCertPem: controlPlane.caCertPem },
      { cluster: 'slow-pods', context: 'slow-pods' },
    );
    const page = await context.newPage();
    try {
      const app = new AppPage(page);
      await app.open(server.url);
      await app.waitConnected();
      await app.openView('Clusters');
      const clusters = new ClustersPage(page);
      await clusters.importPath(kubeconfig);
      await clusters.status('slow-pods').getByText('Reachable').waitFor({ timeout: 20_000 });

      await app.openView('Topology');
      const topology = new TopologyPage(page);
      await page.getByLabel('Context').selectOption('slow-pods');
      // Every other kind is listed: the toolbar names what is left, the map waits for it.
      await topology.state.getByText('Listing pods…').waitFor({ timeout: 30_000 });
      await page.getByText('Reading slow-pods…').waitFor();
      // No "0 nodes · 0 pods" that would read as an empty cluster.
      expect(await page.getByTestId('topology-counts').count()).toBe(0);
      expect(front.requests.some((request) => isPodList(request.url))).toBe(true);
      await page.screenshot({ path: 'test-results/topology-listing-pods.png' });

      release();
      await topology.state.getByText('Live').waitFor({ timeout: 30_000 });
      await expect.poll(() => topology.podCount('web'), { timeout: 30_000 }).toBe('3 pods');
      expect(await page.getByTestId('topology-counts').textContent()).toMatch(/^4 nodes · \d+ pods$/);
    } finally {
      release();
      await page.close();
      await front.stop();
    }
  }, 90_000);
});

/** The screen box of every box of the map, by id. */
function boxesOf(topology: TopologyPage): Promise<Record<string, number[]>> {
  return topology.map.evaluate((map) =>
    Object.fromEntries(
      [...map.querySelectorAll<HTMLElement>('.react-flow__node')].map((node) => {
        const box = node.getBoundingClientRect();
        return [node.dataset.id ?? '', [Math.round(box.x), Math.round(box.y), Math.round(box.width), Math.round(box.height)]];
      }),
    ),
  );
}

/**
 * The boxes now, and every move of a box or of the whole map (a fit, a pan, a new layout) from
 * now on: recorded as it happens, not only sampled at the end, so a re-layout that then fitted
 * back would still show.
 */
async function watchBoxes(topology: TopologyPage) {
  const before = await boxesOf(topology);
  expect(Object.keys(before).length).toBeGreaterThan(3);
  await topology.map.evaluate((map) => {
    const moves: string[] = [];
    (window as unknown as { boxMoves: string[] }).boxMoves = moves;
    const transforms = new Map<Element, string>();
    const watched = [map.querySelector<HTMLElement>('.react-flow__viewport')!, ...map.querySelectorAll<HTMLElement>('.react-flow__node')];
    for (const element of watched) transforms.set(element, element.style.transform);
    new MutationObserver((records) => {
      for (const { target } of records) {
        const element = target as HTMLElement;
        const was = transforms.get(element);
        if (was !== undefined && element.style.transform !== was) {
          moves.push(`${element.dataset.id ?? element.className}: ${was} -> ${element.style.transform}`);
          transforms.set(element, element.style.transform);
        }
      }
    }).observe(map, { attributes: true, attributeFilter: ['style'], subtree: true });
  });
  return {
    before,
    boxes: () => boxesOf(topology),
    moves: () => topology.page.evaluate(() => (window as unknown as { boxMoves: string[] }).boxMoves),
  };
}

/** Clicks a node's box and waits until the details panel has all it loads (the box's events). */
async function openDetails(topology: TopologyPage, name: string): Promise<void> {
  const mapWidth = (await topology.map.boundingBox())!.width;
  expect(await topology.details.count()).toBe(0);
  await topology.node(name).click();
  await expect.poll(() => topology.details.textContent()).toContain(name);
  // The panel took its room beside the map (the change that could make a map fit itself again)...
  expect((await topology.map.boundingBox())!.width).toBeLessThan(mapWidth - 200);
  // ...and the last thing opening it does, loading the box's events, is over.
  await topology.details.getByRole('heading', { name: 'Recent events' }).waitFor();
  await expect.poll(() => topology.details.getByText('Loading…').count(), { timeout: 20_000 }).toBe(0);
  await topology.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}
