/**
 * The Clusters view in Chromium against browser mode and a real control plane with simulated nodes:
 * import through the UI, see health and nodes, the diagnosis of a failure, refused input.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { labNodeSpecs, renderKubeconfig, startControlPlane, startSimulatedNodes } from '../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../harness/index.js';
import { AppPage } from './pages/app-page';
import { ClustersPage } from './pages/clusters-page';
import { startLoggingApiServer } from '../integration/clusters/logging-api-server';
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
  // Browser mode offers $KUBECONFIG's contexts; point it at the viewer's file, not the machine's.
  process.env.KUBECONFIG = controlPlane.viewerKubeconfigPath;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await simulation?.stop();
  await controlPlane?.stop();
});
beforeEach(async () => {
  dataDir = await tempDir('e2e-clusters');
  server = await startBrowserModeServer(dataDir);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
});
afterEach(async () => {
  // A beforeEach that failed half way leaves some unset: its own error is the one to report.
  await context?.close();
  await server?.stop();
});

async function openClusters(): Promise<ClustersPage> {
  const app = new AppPage(await context.newPage());
  await app.open(server.url);
  await app.waitConnected();
  await app.openView('Clusters');
  return new ClustersPage(app.page);
}

describe('Clusters view in Chromium', () => {
  it('imports a kubeconfig by path and shows the cluster, its health and its nodes', async () => {
    const clusters = await openClusters();
    await clusters.importPath(controlPlane.adminKubeconfigPath);
    const name = 'nestlab-admin@nestlab-test';
    await clusters.status(name).getByText('Reachable').waitFor({ timeout: 20_000 });
    const card = clusters.context(name);
    await card.getByText('v1.20.2').waitFor();
    await card.getByText('4 nodes (3 Linux, 1 Windows)', { exact: false }).waitFor();
    await card.getByText('Active').waitFor();
    for (const node of ['sim-control-plane-1', 'sim-linux-1', 'sim-linux-2', 'sim-windows-1']) {
      await clusters.nodeRow(name, node).waitFor();
    }
    expect(await clusters.nodeRow(name, 'sim-windows-1').textContent()).toContain('Windows');
    expect(await clusters.nodeRow(name, 'sim-control-plane-1').textContent()).toContain('control-plane');
    // The token never reaches the page.
    expect(await clusters.page.content()).not.toContain(controlPlane.adminToken);
    await clusters.page.screenshot({ path: await screenshotPath('clusters-imported.png') });
  });

  it('imports a picked file, diagnoses a refused token with its fix, and switches the active context', async () => {
    const clusters = await openClusters();
    // The environment's kubeconfig (the viewer) is offered as a one-click import.
    await clusters.page.getByRole('button', { name: /Import 1 context from/ }).click();
    await clusters.status('nestlab-viewer@nestlab-test').getByText('Reachable').waitFor({ timeout: 20_000 });

    const bad = renderKubeconfig(
      { ...controlPlane.admin, token: 'not-the-token' },
      { cluster: 'lab', user: 'stale', context: 'stale@lab' },
    );
    await clusters.importFile('stale.yaml', bad);
    await clusters.status('stale@lab').getByText('Credentials refused').waitFor({ timeout: 20_000 });
    await clusters.diagnosis('stale@lab').getByText('Fix:').waitFor();
    expect(await clusters.diagnosis('stale@lab').textContent()).toMatch(/Fetch fresh credentials/);
    await clusters.context('stale@lab').screenshot({ path: await screenshotPath('clusters-diagnosis.png') });

    await clusters.context('stale@lab').getByRole('button', { name: 'Use this context' }).click();
    await clusters.context('stale@lab').getByText('Active').waitFor();
    await expect.poll(() => clusters.context('nestlab-viewer@nestlab-test').getByText('Active').count()).toBe(0);
  });

  it('warns on the card of a cluster whose kubeconfig turns TLS verification off', async () => {
    const clusters = await openClusters();
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'no-tls', cluster: { server: controlPlane.server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'no-tls', user: { token: controlPlane.adminToken } }],
      contexts: [{ name: 'no-tls', context: { cluster: 'no-tls', user: 'no-tls' } }],
    };
    await clusters.importFile('insecure.yaml', stringify(config));
    await clusters.page.getByText('cluster "no-tls" sets insecure-skip-tls-verify').waitFor();
    // It connects (nothing is verified), and the card keeps saying so.
    await clusters.status('no-tls').getByText('Reachable').waitFor({ timeout: 20_000 });
    await clusters
      .context('no-tls')
      .getByText(/TLS verification is off for this cluster/)
      .waitFor();
  });

  it('reads a token file outside the kubeconfig folder only after the user allowed it on the card', async () => {
    const tokenPath = join(dataDir, 'secrets', 'token');
    await mkdir(join(dataDir, 'secrets'));
    await mkdir(join(dataDir, 'kube'));
    await writeFile(tokenPath, `${controlPlane.adminToken}\n`, { mode: 0o600 });
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'files',
          cluster: { server: controlPlane.server, 'certificate-authority-data': Buffer.from(controlPlane.caCertPem).toString('base64') },
        },
      ],
      users: [{ name: 'files', user: { tokenFile: '../secrets/token' } }],
      contexts: [{ name: 'files', context: { cluster: 'files', user: 'files' } }],
    };
    const path = join(dataDir, 'kube', 'config');
    await writeFile(path, stringify(config), { mode: 0o600 });
    const clusters = await openClusters();
    await clusters.importPath(path);
    await clusters.status('files').getByText('Needs approval').waitFor({ timeout: 20_000 });
    const files = clusters.context('files').getByRole('group', { name: "Files outside the kubeconfig's folder" });
    await files.getByText(tokenPath, { exact: true }).waitFor();
    await files.getByRole('button', { name: 'Allow reading these files' }).click();
    await clusters.status('files').getByText('Reachable').waitFor({ timeout: 20_000 });
    await clusters.context('files').getByText(`${tokenPath} (allowed)`).waitFor();
  });

  it('refuses a broken kubeconfig with every problem and its line, importing nothing; keyboard only', async () => {
    const clusters = await openClusters();
    await clusters.importFile('broken.yaml', 'apiVersion: v1\nkind: Config\nclusters:\n  - name: a\n    cluster: {server: "https://x\n');
    await clusters.importProblems.waitFor();
    expect(await clusters.importProblems.textContent()).toMatch(/broken\.yaml:\d+:\d+ Invalid YAML at line \d+, column \d+/);
    await clusters.page.getByText('No clusters yet').waitFor();

    await clusters.pathField.focus();
    await clusters.page.keyboard.type(controlPlane.adminKubeconfigPath);
    await clusters.page.keyboard.press('Enter');
    await clusters.status('nestlab-admin@nestlab-test').getByText('Reachable').waitFor({ timeout: 20_000 });
  });
});

describe('Clusters view: name clashes and credential plugins', () => {
  it('shows a name clash and imports under the name the user chose', async () => {
    const clusters = await openClusters();
    await clusters.importPath(controlPlane.adminKubeconfigPath);
    await clusters.context('nestlab-admin@nestlab-test').waitFor();
    // Same names, another token: a different user "nestlab-admin".
    const other = renderKubeconfig(controlPlane.viewer, { user: 'nestlab-admin' });
    await clusters.importFile('colleague.yaml', other);
    const resolver = clusters.page.getByRole('form', { name: 'Names already in use' });
    await resolver.getByText('colleague.yaml').first().waitFor();
    expect(await resolver.getByLabel('New name for user nestlab-admin').inputValue()).toBe('nestlab-admin-2');
    await resolver.screenshot({ path: await screenshotPath('clusters-clash.png') });
    await resolver.getByRole('button', { name: 'Import with these choices' }).click();
    // Renaming the user makes the context differ too: the choice already made carries over.
    await resolver.getByLabel('New name for context nestlab-admin@nestlab-test').fill('colleague');
    await resolver.getByRole('button', { name: 'Import with these choices' }).click();
    await clusters.status('colleague').getByText('Reachable').waitFor({ timeout: 20_000 });
    await clusters.context('colleague').getByText('cannot list nodes').waitFor();
    await clusters.context('nestlab-admin@nestlab-test').getByText('· can list nodes').waitFor();
  });

  it('says which contexts and servers each clash choice affects, and sends no credential elsewhere without a tick', async () => {
    const elsewhere = await startLoggingApiServer(dataDir, 'elsewhere');
    try {
      const clusters = await openClusters();
      await clusters.importPath(controlPlane.adminKubeconfigPath);
      await clusters.status('nestlab-admin@nestlab-test').getByText('Reachable').waitFor({ timeout: 20_000 });
      // A colleague's kubeconfig: also a user "nestlab-admin", another token, another server.
      const other = renderKubeconfig(
        { server: elsewhere.server, caCertPem: elsewhere.caPem, token: 'colleague-token-51d3' },
        { cluster: 'elsewhere', user: 'nestlab-admin', context: 'elsewhere' },
      );
      await clusters.importFile('colleague.yaml', other);
      const resolver = clusters.page.getByRole('form', { name: 'Names already in use' });
      await resolver.getByText('colleague.yaml').first().waitFor();
      const effects = await resolver.locator('.clash-effects').allTextContents();
      expect(effects).toEqual([
        `Changes context nestlab-admin@nestlab-test: it would send the credentials of user nestlab-admin from colleague.yaml to ${controlPlane.server}, a server they were not imported with.`,
        `Adds context elsewhere: it would send the credentials of user nestlab-admin from ${controlPlane.adminKubeconfigPath} to ${elsewhere.server}, a server they were not imported with.`,
      ]);
      const submit = resolver.getByRole('button', { name: 'Import with these choices' });
      await resolver.getByRole('radio', { name: /Keep the existing one/ }).check();
      const tick = resolver.getByRole('checkbox', {
        name: `Send these credentials to ${elsewhere.server}, a server they were not imported with`,
      });
      await tick.waitFor();
      expect(await submit.isDisabled()).toBe(true);
      await resolver
        .getByText('User "nestlab-admin": confirm sending the credentials to the other server, or import it under a new name.')
        .waitFor();
      await resolver.screenshot({ path: await screenshotPath('clusters-clash-other-server.png') });

      // Import under a new name: each token goes only to its own server.
      await resolver.getByRole('radio', { name: /Import the new one as/ }).check();
      expect(await resolver.getByLabel('New name for user nestlab-admin').inputValue()).toBe('nestlab-admin-2');
      await submit.click();
      await clusters.status('elsewhere').getByText('Reachable').waitFor({ timeout: 20_000 });
      expect(elsewhere.authorizations()).toContain('Bearer colleague-token-51d3');
      expect(elsewhere.authorizations()).not.toContain(controlPlane.adminToken);
    } finally {
      await elsewhere.stop();
    }
  });

  it('suggests a rename the form accepts for a name with spaces, and says why a name is refused', async () => {
    const clusters = await openClusters();
    await clusters.importFile('first.yaml', renderKubeconfig(controlPlane.admin, { cluster: 'lab', user: 'admin', context: 'my lab' }));
    await clusters.context('my lab').waitFor();
    await clusters.importFile('second.yaml', renderKubeconfig(controlPlane.viewer, { cluster: 'lab', user: 'viewer', context: 'my lab' }));
    const resolver = clusters.page.getByRole('form', { name: 'Names already in use' });
    const name = resolver.getByLabel('New name for context my lab');
    expect(await name.inputValue()).toBe('my-lab-2');
    const submit = resolver.getByRole('button', { name: 'Import with these choices' });
    expect(await submit.isEnabled()).toBe(true);
    await name.fill('my lab 2');
    await resolver.getByText('New name for context "my lab": "my lab 2" has spaces or slashes; a new name cannot.').waitFor();
    expect(await submit.isDisabled()).toBe(true);
    await name.fill('my-lab-viewer');
    await submit.click();
    await clusters.context('my-lab-viewer').waitFor();
  });

  it('shows an exec plugin verbatim, never runs it before approval, and runs it after', async () => {
    const canary = join(dataDir, 'plugin-ran');
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: controlPlane.adminToken },
    });
    const script = `touch '${canary}'; printf '%s' '${credential}'`;
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'sso',
          cluster: { server: controlPlane.server, 'certificate-authority-data': Buffer.from(controlPlane.caCertPem).toString('base64') },
        },
      ],
      users: [
        {
          name: 'sso-user',
          user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: '/bin/sh', args: ['-c', script] } },
        },
      ],
      contexts: [{ name: 'sso', context: { cluster: 'sso', user: 'sso-user' } }],
    };
    const clusters = await openClusters();
    await clusters.importFile('sso.yaml', stringify(config));
    await clusters.status('sso').getByText('Needs approval').waitFor({ timeout: 20_000 });
    const card = clusters.context('sso');
    await card.getByText('/bin/sh', { exact: true }).waitFor();
    await card.getByText(script, { exact: true }).waitFor();
    expect(existsSync(canary)).toBe(false);
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: await screenshotPath('clusters-plugin-approval.png') });
    await card.getByRole('button', { name: 'Approve and run this command' }).click();
    await clusters.status('sso').getByText('Reachable').waitFor({ timeout: 20_000 });
    expect(existsSync(canary)).toBe(true);
    await card.getByRole('button', { name: 'Revoke approval' }).waitFor();
  });
});

describe('Clusters view across a browser-mode restart', () => {
  it('keeps the contexts, names the in-memory credentials that were lost, and a re-import restores them', async () => {
    let clusters = await openClusters();
    await clusters.importPath(controlPlane.adminKubeconfigPath);
    const name = 'nestlab-admin@nestlab-test';
    await clusters.status(name).getByText('Reachable').waitFor({ timeout: 20_000 });

    await server.stop();
    server = await startBrowserModeServer(dataDir);
    clusters = await openClusters();
    // Checked by itself shortly after the start, without a click.
    await clusters.status(name).getByText('Credentials lost').waitFor({ timeout: 20_000 });
    expect(await clusters.diagnosis(name).textContent()).toMatch(/Fix: Import the kubeconfig again\./);
    // Said once, at the top: why, and how to keep credentials next time.
    const banner = clusters.page.getByTestId('credentials-banner');
    await banner.getByText(/^nestlab-admin@nestlab-test has lost its credentials: the server was restarted\./).waitFor();
    expect(await banner.textContent()).toContain('NESTLAB_SECRETS_PASSPHRASE_FILE');
    expect(await clusters.page.getByTestId('credentials-banner').count()).toBe(1);
    expect(await clusters.context(name).textContent()).toContain('(saved credentials lost)');
    expect(await clusters.context(name).textContent()).not.toContain('token saved');
    expect(await banner.textContent()).toContain('A context imported from a file can be read again from it below.');
    // One click reads the file it came from again.
    await clusters
      .context(name)
      .getByRole('button', { name: `Re-read from ${controlPlane.adminKubeconfigPath}` })
      .click();
    await clusters.status(name).getByText('Reachable').waitFor({ timeout: 20_000 });
    await banner.getByText(/^Browser mode keeps imported tokens/).waitFor();
  });
});

describe('Clusters view across a browser-mode restart, when the imported file is gone', () => {
  it('offers no "Re-read" for a file that no longer exists and says why', async () => {
    const folder = await tempDir('e2e-reread');
    const path = join(folder, 'moved-away.yaml');
    const { clusters, name } = await importThenRestart(path, () => rm(path));
    const card = clusters.context(name);
    await card.getByText(`${path} is no longer there, so it cannot be read again.`, { exact: false }).waitFor();
    expect(await card.getByRole('button', { name: /^Re-read from/ }).count()).toBe(0);
    // The banner does not promise a re-read that cannot happen.
    expect(await clusters.page.getByTestId('credentials-banner').textContent()).not.toContain('can be read again');
  });
});

describe('Clusters view across a browser-mode restart, when the imported file changed', () => {
  it('shows what a re-read would change, and changes it only when the user chooses to', { timeout: 180_000 }, async () => {
    const folder = await tempDir('e2e-reread');
    const path = join(folder, 'lab.yaml');
    // Meanwhile the file is edited: the same names, another server address.
    const moved = controlPlane.server.replace('127.0.0.1', 'localhost');
    const { clusters, name } = await importThenRestart(path, async () =>
      writeFile(path, (await readFile(path, 'utf8')).replace(controlPlane.server, moved)),
    );
    await clusters
      .context(name)
      .getByRole('button', { name: `Re-read from ${path}` })
      .click();
    const resolver = clusters.page.getByRole('form', { name: 'Names already in use' });
    await resolver.getByText(path).first().waitFor({ timeout: 20_000 });
    const effects = await resolver.locator('.clash-effects').allTextContents();
    expect(effects[0]).toBe(`Changes context ${name}: it would send the credentials of user nestlab-admin from ${path} to ${moved}.`);
    // Nothing changed yet.
    expect(await clusters.context(name).textContent()).toContain(controlPlane.server);
    await resolver.getByRole('radio', { name: /Replace the existing one/ }).check();
    await resolver.getByRole('button', { name: 'Import with these choices' }).click();
    // The server shown exactly: the card's diagnosis (the certificate does not name localhost) names it too.
    await clusters.context(name).getByText(moved, { exact: true }).waitFor({ timeout: 20_000 });
  });
});

/**
 * Imports a copy of the admin kubeconfig at `path`, restarts browser mode (its in-memory
 * credentials are then lost) after `meanwhile` did what it does to the file, and opens Clusters
 * once the context says so.
 */
async function importThenRestart(path: string, meanwhile: () => Promise<void>): Promise<{ clusters: ClustersPage; name: string }> {
  const name = 'nestlab-admin@nestlab-test';
  await copyFile(controlPlane.adminKubeconfigPath, path);
  const before = await openClusters();
  await before.importPath(path);
  await before.status(name).getByText('Reachable').waitFor({ timeout: 20_000 });
  await server.stop();
  await meanwhile();
  server = await startBrowserModeServer(dataDir);
  const clusters = await openClusters();
  await clusters.status(name).getByText('Credentials lost').waitFor({ timeout: 20_000 });
  return { clusters, name };
}

/** README screenshots are refreshed only on request (NESTLAB_UPDATE_SCREENSHOTS=1), as in app.test.ts. */
async function screenshotPath(name: string): Promise<string> {
  const dir = process.env.NESTLAB_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
  await mkdir(dir, { recursive: true });
  return join(dir, name);
}
