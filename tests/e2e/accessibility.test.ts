/**
 * An accessibility pass over every view in both themes, in Chromium against browser mode and a
 * real control plane with simulated nodes (so Topology has its map, minimap and zoom buttons,
 * Pods its table, Apps its cards): axe-core's WCAG 2 A/AA rules, colour contrast included, run
 * in the page (injected from node_modules: no network), a screenshot of each view and theme, and
 * a check that every visible control follows the theme (in dark, no control is drawn light).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labNodeSpecs, runKubectl, startControlPlane, startSimulatedNodes } from '../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../harness/index.js';
import { AppPage } from './pages/app-page';
import { ClustersPage } from './pages/clusters-page';
import { TopologyPage } from './pages/topology-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const VIEWS = ['Hosts', 'Labs', 'Clusters', 'Topology', 'Apps', 'Pods', 'Terminals', 'Settings'] as const;
const CONTEXT = 'nestlab-admin@nestlab-test';

let browser: Browser;
let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let server: BrowserModeServer;
let dataDir: string;

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  process.env.KUBECONFIG = controlPlane.adminKubeconfigPath;
  dataDir = await tempDir('e2e-a11y');
  server = await startBrowserModeServer(dataDir);
  browser = await launchChromium();
  const result = await runKubectl(controlPlane.adminKubeconfigPath, ['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2']);
  expect(result.exitCode, result.stderr).toBe(0);
  // Import once: both themes then see the same imported context.
  const page = await browser.newPage();
  const app = new AppPage(page);
  await app.open(server.url);
  await app.waitConnected();
  await app.openView('Clusters');
  const clusters = new ClustersPage(page);
  await clusters.importPath(controlPlane.adminKubeconfigPath);
  await clusters.status(CONTEXT).getByText('Reachable').waitFor({ timeout: 20_000 });
  await page.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await simulation?.stop();
  await controlPlane?.stop();
});

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

async function axe(page: Page): Promise<AxeViolation[]> {
  // Evaluated over DevTools rather than added as a <script>: the app's CSP (script-src 'self') stays as it is.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const run = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe
      .run;
    const result = await run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}) })),
    }));
  });
}

/** Visible controls whose own background is light (relative luminance over 0.5) in the dark theme. */
async function lightControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const luminance = (color: string) => {
      const [r = 0, g = 0, b = 0, a = 1] = (color.match(/[\d.]+/g) ?? []).map(Number);
      if (a === 0) return undefined; // transparent: drawn on its parent
      const channel = (value: number) => {
        const c = value / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const selector = 'input, select, textarea, button, .react-flow__minimap, .react-flow__controls-button';
    const found: string[] = [];
    for (const element of document.querySelectorAll<HTMLElement>(selector)) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (element instanceof HTMLInputElement && ['checkbox', 'radio', 'range', 'file', 'hidden'].includes(element.type)) continue;
      const style = getComputedStyle(element);
      const background = luminance(style.backgroundColor);
      const minimap = element.classList.contains('react-flow__minimap')
        ? luminance(getComputedStyle(element.querySelector('svg') ?? element).backgroundColor)
        : undefined;
      const light = [background, minimap].some((value) => value !== undefined && value > 0.5);
      // A primary button is filled with the accent colour on purpose; its text is then dark.
      const accent = element.classList.contains('button-primary') && (luminance(style.color) ?? 1) < 0.2;
      if (light && !accent) {
        const name = element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 40) ?? '';
        found.push(`${element.tagName.toLowerCase()}.${[...element.classList].join('.')} "${name}" background ${style.backgroundColor}`);
      }
    }
    return found;
  });
}

/** Waits for what each view shows once its data is in (the map, the pods, the cards). */
async function settle(page: Page, view: (typeof VIEWS)[number]): Promise<void> {
  if (view === 'Topology') {
    const topology = new TopologyPage(page);
    await topology.state.getByText('Live').waitFor({ timeout: 30_000 });
    await topology.node('sim-linux-1').waitFor();
    await page.locator('.react-flow__minimap').waitFor();
  } else if (view === 'Pods') {
    await page.getByRole('table').getByText(/^web-/).first().waitFor({ timeout: 30_000 });
  } else if (view === 'Apps') {
    await page.getByRole('heading', { level: 3, name: 'Azure voting app' }).waitFor();
  } else if (view === 'Clusters') {
    await new ClustersPage(page).status(CONTEXT).getByText('Reachable').waitFor({ timeout: 20_000 });
  }
}

describe.each(['light', 'dark'] as const)('every view in the %s theme', (theme) => {
  it('passes axe-core (WCAG 2 A/AA, colour contrast included), and every control follows the theme', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: theme });
    const page = await context.newPage();
    const app = new AppPage(page);
    await app.open(server.url);
    await app.waitConnected();
    await app.expectTheme(theme);
    const dir = join('test-results', 'screenshots', 'themes');
    await mkdir(dir, { recursive: true });
    const problems: string[] = [];
    for (const view of VIEWS) {
      await app.openView(view);
      await settle(page, view);
      await page.screenshot({ path: join(dir, `${theme}-${view.toLowerCase()}.png`) });
      for (const violation of await axe(page)) {
        problems.push(
          `${view}: ${violation.id} (${violation.impact ?? 'n/a'}) ${violation.help}\n${violation.nodes
            .slice(0, 5)
            .map((node) => `    ${node.target.join(' ')}: ${(node.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 200)}`)
            .join('\n')}`,
        );
      }
      if (theme === 'dark')
        for (const control of await lightControls(page)) problems.push(`${view}: light control in the dark theme: ${control}`);
    }
    await context.close();
    expect(problems, problems.join('\n')).toEqual([]);
  }, 180_000);
});
