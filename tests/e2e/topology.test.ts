/**
 * The Topology view in Chromium against browser mode and a real control plane with simulated
 * Linux and Windows nodes: the map shows the nodes, and follows `kubectl scale` live.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labNodeSpecs, runKubectl, startControlPlane, startSimulatedNodes } from '../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../harness/index.js';
import { AppPage } from './pages/app-page';
import { ClustersPage } from './pages/clusters-page';
import { TopologyPage } from './pages/topology-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';

let browser: Browser;
let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let context: BrowserContext;
let server: BrowserModeServer;
let dataDir: string;

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  dataDir = await mkdtemp(join(tmpdir(), 'nestlab-e2e-topology-'));
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
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<void> {
  const result = await runKubectl(controlPlane.adminKubeconfigPath, args);
  expect(result.exitCode, result.stderr).toBe(0);
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
});
