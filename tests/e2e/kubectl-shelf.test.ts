/**
 * The kubectl shelf in real Chromium against real browser mode and the harness's 1.20 control
 * plane: a terminal on the 1.20 context warns while only the machine's kubectl (1.32) is on the
 * shelf; Settings refuses a file that is not a kubectl and adds Debian's real kubectl 1.20 from
 * its file; the next terminal on that context gets it and says so in its tab.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nestlabCacheDir } from '../harness/binaries.js';
import { startControlPlane, type ControlPlane } from '../harness/index.js';
import { ClustersPage } from './pages/clusters-page';
import { TerminalsPage } from './pages/terminals-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

/** Unpacked by scripts/provision-test-deps.mjs (dpkg-deb -x, never installed). */
const DEBIAN_KUBECTL = join(nestlabCacheDir(), 'kubectl-debian', 'usr', 'bin', 'kubectl');
const CONTEXT = 'nestlab-admin@nestlab-test';

let browser: Browser;
let context: BrowserContext;
let server: BrowserModeServer;
let dataDir: string;
let controlPlane: ControlPlane;
const savedShell = process.env.SHELL;

beforeAll(async () => {
  controlPlane = await startControlPlane();
  process.env.SHELL = '/bin/bash';
  dataDir = await tempDir('e2e-kubectl-shelf');
  server = await startBrowserModeServer(dataDir);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
  await controlPlane?.stop();
  process.env.SHELL = savedShell;
});

describe('kubectl shelf in Chromium', () => {
  it('warns in the tab when no kubectl fits the server, adds one from a file in Settings, and the next tab uses it', async () => {
    const app = new TerminalsPage(await context.newPage());
    await app.open(server.url);
    await app.waitConnected();
    await app.openView('Clusters');
    const clusters = new ClustersPage(app.page);
    await clusters.importPath(controlPlane.adminKubeconfigPath);
    await clusters.status(CONTEXT).getByText('Reachable').waitFor({ timeout: 20_000 });

    // Only the machine's kubectl (1.32) is on the shelf: eleven minor versions from the 1.20 server.
    await app.openView('Terminals');
    await app.openLocalShell(CONTEXT);
    const warning = app.activePane.getByTestId('terminal-kubectl-note');
    await expect.poll(() => warning.getAttribute('data-tone')).toBe('warning');
    expect(await warning.textContent()).toMatch(
      /No kubectl on the shelf is within one minor version of server v1\.20\.2; using kubectl v1\.32\.\S+, which kubectl does not support\. Add a kubectl 1\.19-1\.21 in Settings \(kubectl shelf\)\./,
    );
    await app.waitForScreen(/Nestlab: No kubectl on the shelf/);

    await app.openView('Settings');
    const shelf = app.page.getByTestId('kubectl-shelf');
    await expect
      .poll(() => shelf.getByTestId('kubectl-shelf-entry').allTextContents())
      .toEqual([expect.stringMatching(/^v1\.32\.\S+first on PATH\/usr\/bin\/kubectl$/)]);
    const pathField = shelf.getByLabel('Add a kubectl from a file');
    const notKubectl = join(dataDir, 'notes.txt');
    await writeFile(notKubectl, 'not a program\n');
    await pathField.fill(notKubectl);
    await shelf.getByRole('button', { name: 'Add kubectl' }).click();
    await expect
      .poll(() => shelf.getByRole('alert').textContent())
      .toMatch(new RegExp(`^${notKubectl} is not a kubectl this computer can run: .*Choose a kubectl built for linux/amd64\\.`));

    await pathField.fill(DEBIAN_KUBECTL);
    await shelf.getByRole('button', { name: 'Add kubectl' }).click();
    const added = shelf.getByTestId('kubectl-shelf-entry').filter({ hasText: 'added here' });
    await added.waitFor({ timeout: 30_000 });
    expect(await added.textContent()).toContain(`v1.20.2added here${join(dataDir, 'kubectl', 'v1.20.2', 'kubectl')}`);
    expect(await pathField.inputValue()).toBe('');

    await app.openView('Terminals');
    await app.openLocalShell(CONTEXT);
    const note = app.activePane.getByTestId('terminal-kubectl-note');
    await expect.poll(() => note.textContent()).toBe('kubectl v1.20.2 (added in Settings) for server v1.20.2');
    expect(await note.getAttribute('data-tone')).toBe('info');
    await app.typeLine('command -v kubectl; kubectl get namespace kube-system -o name');
    const screen = await app.waitForScreen(/^namespace\/kube-system$/m);
    expect(screen).toContain(join(dataDir, 'kubectl', 'v1.20.2', 'kubectl'));
  });
});
