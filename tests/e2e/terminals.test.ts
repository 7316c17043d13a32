/**
 * Terminals in real Chromium against real browser mode, with the harness's control plane: the
 * local shell's kubectl, large output, exit status, OSC 52, close without orphans.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { labNodeSpecs, startControlPlane, startSimulatedNodes, type ControlPlane, type SimulatedNodes } from '../harness/index.js';
import { ClustersPage } from './pages/clusters-page';
import { TerminalsPage } from './pages/terminals-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

let browser: Browser;
let context: BrowserContext;
let server: BrowserModeServer;
let dataDir: string;
let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
const savedEnv = { KUBECONFIG: process.env.KUBECONFIG, SHELL: process.env.SHELL };

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  // Browser mode inherits this environment: a local shell without a context uses the harness's
  // admin kubeconfig, and a known shell.
  process.env.KUBECONFIG = controlPlane.adminKubeconfigPath;
  process.env.SHELL = '/bin/bash';
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await simulation?.stop();
  await controlPlane?.stop();
  process.env.KUBECONFIG = savedEnv.KUBECONFIG;
  process.env.SHELL = savedEnv.SHELL;
});
beforeEach(async () => {
  dataDir = await tempDir('e2e-terminals');
  server = await startBrowserModeServer(dataDir);
  context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: 'dark' });
});
afterEach(async () => {
  // A beforeEach that failed half way leaves some unset: its own error is the one to report.
  await context?.close();
  await server?.stop();
});

async function openTerminals(): Promise<TerminalsPage> {
  const app = new TerminalsPage(await context.newPage());
  await app.open(server.url);
  await app.waitConnected();
  await app.openView('Terminals');
  return app;
}

describe('terminals in Chromium', () => {
  it('runs kubectl get nodes in a local shell and shows which kubectl it uses', async () => {
    const app = await openTerminals();
    await app.openLocalShell();
    await expect.poll(() => app.facts.textContent()).toMatch(/^kubectl v\d+\.\d+\.\d+.* \(\/\S*kubectl\)$/);
    await app.typeLine('kubectl get nodes');
    const screen = await app.waitForScreen(/sim-windows-1/);
    for (const node of ['sim-control-plane-1', 'sim-linux-1', 'sim-linux-2', 'sim-windows-1']) expect(screen).toContain(node);
    // Like app.test.ts: the README screenshot is refreshed only when asked to.
    const shots = process.env.NESTLAB_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
    await mkdir(shots, { recursive: true });
    await app.page.screenshot({ path: join(shots, 'terminals.png') });
  });

  it('binds a local shell to a context chosen in the form: kubectl there talks to it through a file of its own', async () => {
    const app = await openTerminals();
    // The hint names the context picker's own first choice (the picker is a list: it cannot be left empty).
    const hint = await app.page.locator('.empty-state-hint').textContent();
    expect(hint).toBe('For a shell with your own KUBECONFIG, pick "Your KUBECONFIG" as the context.');
    expect(
      await app.page
        .getByLabel('Context (optional)')
        .locator('option', { hasText: /^Your KUBECONFIG$/ })
        .count(),
    ).toBe(1);
    await app.openView('Clusters');
    const clusters = new ClustersPage(app.page);
    await clusters.importPath(controlPlane.adminKubeconfigPath);
    await clusters.status('nestlab-admin@nestlab-test').getByText('Reachable').waitFor({ timeout: 20_000 });
    await app.openView('Terminals');
    // A new terminal's context is the active one unless another is picked.
    expect(await app.page.getByLabel('Context (optional)').inputValue()).toBe('nestlab-admin@nestlab-test');
    await app.openLocalShell('nestlab-admin@nestlab-test');
    await app.typeLine('kubectl config current-context; echo "kc=$KUBECONFIG"; kubectl get nodes');
    const screen = await app.waitForScreen(/sim-windows-1/);
    expect(screen).toMatch(/^nestlab-admin@nestlab-test$/m);
    const kubeconfig = /^kc=(\S+)$/m.exec(screen)?.[1];
    expect(kubeconfig).toBeDefined();
    expect(kubeconfig).not.toBe(controlPlane.adminKubeconfigPath);
  });

  it('handles a click while a large output streams, and shows all of it', async () => {
    const app = await openTerminals();
    await app.openLocalShell();
    await app.typeLine('seq 1 200000');
    // While the output streams, a click is handled. How quickly is measured by
    // bench/terminal-responsiveness.ts, not asserted here: a time bound flakes on a busy machine.
    await app.activePane.getByRole('button', { name: 'Search' }).click();
    await app.activePane.getByRole('search').waitFor();
    await app.waitForScreen(/^200000$/m, 60_000);
  });

  it('shows all the output a shell printed while the WebSocket was down, once, after it reconnects', async () => {
    // Keep a handle on the page's WebSocket, so the test can drop it as a network failure would.
    await context.addInitScript(() => {
      const Native = window.WebSocket;
      const sockets: WebSocket[] = [];
      (window as unknown as { __sockets: WebSocket[] }).__sockets = sockets;
      window.WebSocket = class extends Native {
        constructor(...args: ConstructorParameters<typeof WebSocket>) {
          super(...args);
          sockets.push(this);
        }
      };
    });
    const app = await openTerminals();
    await app.openLocalShell();
    await app.typeLine('for i in $(seq 1 30); do echo line-$i; sleep 0.1; done; echo done-$((6*7))');
    await app.waitForScreen(/^line-3$/m);
    await app.page.evaluate(() => {
      for (const socket of (window as unknown as { __sockets: WebSocket[] }).__sockets) socket.close();
    });
    // The page opens a new WebSocket (its reconnect) and resumes the terminal from its last seq.
    await expect.poll(() => app.page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.length)).toBe(2);
    const screen = await app.waitForScreen(/^done-42$/m, 30_000);
    const lines = screen.split('\n').filter((line) => /^line-\d+$/.test(line));
    expect(lines).toEqual(Array.from({ length: 30 }, (_, index) => `line-${index + 1}`));
    expect(screen).not.toContain('was lost while disconnected');
  });

  it('shows the exit status of a shell that exits', async () => {
    const app = await openTerminals();
    await app.openLocalShell();
    await app.typeLine('exit 5');
    await expect.poll(() => app.status.textContent()).toBe('Exited with status 5');
    await expect.poll(() => app.tab(/local shell/).textContent()).toContain('(ended)');
    await app.waitForScreen(/\[Exited with status 5\]/);
  });

  it('ignores OSC 52 clipboard writes from the shell', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const app = await openTerminals();
    await app.page.evaluate("navigator.clipboard.writeText('kept')");
    await app.openLocalShell();
    // OSC 52 asking to put "pwned" on the clipboard, then a marker built by the shell.
    await app.typeLine("printf '\\033]52;c;cHduZWQ=\\a'; echo osc-$((50+2))-done");
    await app.waitForScreen(/^osc-52-done$/m);
    expect(await app.page.evaluate<string>('navigator.clipboard.readText()')).toBe('kept');
  });

  it('closing a tab ends its shell and what it started', async () => {
    const app = await openTerminals();
    await app.openLocalShell();
    await app.typeLine('sleep 900 >/dev/null 2>&1 & echo "pids $$ $!"');
    const match = /^pids (\d+) (\d+)$/m.exec(await app.waitForScreen(/^pids \d+ \d+$/m));
    const pids = [Number(match![1]), Number(match![2])];
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(true);
    await app.page.getByRole('button', { name: 'Close local shell' }).click();
    await app.page.getByRole('heading', { name: 'No terminals open' }).waitFor();
    await expect.poll(() => pids.filter((pid) => isRunning(pid)), { timeout: 10_000 }).toEqual([]);
  });
});

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
