/**
 * The Hosts view in Chromium against browser mode and real sshd test hosts: add a password host
 * with the keyboard, accept its key by fingerprint, run the preflight, and see a changed host key
 * refused with both fingerprints until it is explicitly forgotten.
 */

import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simulations } from '../harness/ssh/profiles';
import { startTestHost, type TestHost } from '../harness/ssh/test-host';
import { AppPage } from './pages/app-page';
import { HostsPage } from './pages/hosts-page';
import { TerminalsPage } from './pages/terminals-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

const password = 'CANARY-e2e-hosts-5d31f0';

let browser: Browser;
let context: BrowserContext;
let server: BrowserModeServer;
let dataDir: string;
let host: TestHost;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  host = await startTestHost({ simulation: simulations.nestedOff, password });
  dataDir = await tempDir('e2e-hosts');
  server = await startBrowserModeServer(dataDir);
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
});
afterEach(async () => {
  // A beforeEach that failed half way leaves some unset: its own error is the one to report.
  await context?.close();
  await server?.stop();
  await host?.stop();
});

async function openHosts(): Promise<HostsPage> {
  const app = new AppPage(await context.newPage());
  await app.open(server.url);
  await app.waitConnected();
  await app.openView('Hosts');
  return new HostsPage(app.page);
}

/** Adds the test host through the form (keyboard submit) and accepts its key in the dialog. */
async function addAndTrust(hosts: HostsPage, name: string): Promise<void> {
  await hosts.openAddForm();
  await hosts.fillForm({ name, address: '127.0.0.1', port: String(host.port), user: host.user, password, sudoPassword: password });
  await hosts.submitWithEnter();
  await hosts.keyDialog.waitFor();
  await hosts.acceptKey();
  await hosts.status(name).getByText('Connected').waitFor({ timeout: 20_000 });
}

describe('Hosts view in Chromium', () => {
  it('adds a password host, shows the fingerprint before anything runs, and runs the preflight', async () => {
    const hosts = await openHosts();
    await hosts.page.getByTestId('secret-storage').getByText('kept in memory until the server stops').waitFor();

    // Inline validation keeps what was typed.
    await hosts.openAddForm();
    await hosts.fillForm({ name: 'lab-1', address: '127.0.0.1', port: '70000', user: host.user, password });
    await hosts.submitWithEnter();
    await hosts.fieldError('Port').getByText('Enter a port from 1 to 65535.').waitFor();
    await hosts.screenshotIfAsked('hosts-form.png');
    expect(await hosts.field('Port').inputValue()).toBe('70000');
    expect(await hosts.field('Name').inputValue()).toBe('lab-1');
    expect(await hosts.field('Password').inputValue()).toBe(password);
    await hosts.field('Port').fill(String(host.port));
    await hosts.submitWithEnter();

    // First contact: key type and SHA256 fingerprint, nothing ran on the host.
    await hosts.keyDialog.waitFor();
    const presented = await host.hostKey();
    expect(await hosts.keyType.textContent()).toBe(presented.keyType);
    expect(await hosts.keyFingerprint.textContent()).toBe(presented.fingerprint);
    expect(await host.sessionCommandLines()).toBe('');
    // Escape closes the dialog without trusting anything; testing again asks again.
    await hosts.page.keyboard.press('Escape');
    await hosts.keyDialog.waitFor({ state: 'detached' });
    await hosts.status('lab-1').getByText('Host key not accepted yet').waitFor();
    expect(await host.sessionCommandLines()).toBe('');
    await hosts.testConnection('lab-1');
    await hosts.keyDialog.waitFor();
    await hosts.screenshotIfAsked('hosts-fingerprint.png');
    await hosts.acceptKey();
    await hosts.status('lab-1').getByText('Connected').waitFor({ timeout: 20_000 });
    await hosts.host('lab-1').getByText(presented.fingerprint).waitFor();

    await hosts.runPreflight('lab-1');
    await hosts.preflightTable('lab-1').waitFor({ timeout: 30_000 });
    expect(await hosts.checkRow('lab-1', 'cpu-virtualization').textContent()).toContain('Pass');
    const nested = hosts.checkRow('lab-1', 'nested-virtualization');
    // nested=N on a bare-metal host is a note, not a failure: lab VMs run no hypervisor of their own.
    expect(await nested.textContent()).toContain('Pass');
    expect(await nested.textContent()).toContain('Note: kvm_intel is loaded with nested=N');
    await hosts.host('lab-1').getByTestId('preflight-status').getByText('Preflight: Fail').waitFor();
    await hosts.capacity('lab-1').waitFor();
    await hosts.screenshotIfAsked('hosts.png');

    // Editing shows saved secrets as "Saved", never their value.
    await hosts.host('lab-1').getByRole('button', { name: 'Edit' }).click();
    await hosts.formDialog.waitFor();
    expect(await hosts.field('Password').inputValue()).toBe('');
    await hosts.formDialog.getByText('Saved. Leave empty to keep it.').first().waitFor();
    await hosts.page.keyboard.press('Escape');
    await hosts.formDialog.waitFor({ state: 'detached' });

    // The password never reached the page, and never appeared in the server's output.
    expect(await hosts.page.content()).not.toContain(password);
    expect(server.output()).not.toContain(password);
  });

  it('refuses a changed host key with both fingerprints until it is explicitly forgotten', async () => {
    const hosts = await openHosts();
    await addAndTrust(hosts, 'lab-2');
    const old = (await host.hostKey()).fingerprint;
    await host.restartWithNewHostKey();
    const presented = (await host.hostKey()).fingerprint;

    await hosts.testConnection('lab-2');
    const refusal = hosts.keyRefusal('lab-2');
    await refusal.waitFor({ timeout: 20_000 });
    expect(await refusal.getByTestId('expected-fingerprint').textContent()).toBe(old);
    expect(await refusal.getByTestId('presented-fingerprint').textContent()).toBe(presented);
    await hosts.status('lab-2').getByText('Refused: host key changed').waitFor();
    await hosts.screenshotIfAsked('hosts-key-changed.png');

    // Testing again changes nothing: still refused, no dialog offering the new key.
    await hosts.testConnection('lab-2');
    await hosts.status('lab-2').getByText('Refused: host key changed').waitFor();
    expect(await hosts.keyDialog.count()).toBe(0);

    await refusal.getByRole('button', { name: 'Forget this host key' }).click();
    await hosts.keyDialog.waitFor();
    expect(await hosts.keyFingerprint.textContent()).toBe(presented);
    // The dialog keeps the keyboard inside it: Tab from its last button comes back to its first.
    for (let i = 0; i < 4; i++) {
      await hosts.page.keyboard.press('Tab');
      expect(await hosts.keyDialog.evaluate((dialog) => dialog.contains(document.activeElement))).toBe(true);
    }
    await hosts.acceptKey();
    await hosts.status('lab-2').getByText('Connected').waitFor({ timeout: 20_000 });

    // Open SSH terminal: a tab in the Terminals view on the host's shared connection.
    await hosts.host('lab-2').getByRole('button', { name: 'Open SSH terminal' }).click();
    const terminals = new TerminalsPage(hosts.page);
    await hosts.page.getByRole('heading', { level: 1, name: 'Terminals' }).waitFor();
    // The terminals service titles SSH tabs by host id (it does not know host names).
    await terminals.tab(/^ssh: /).waitFor({ timeout: 20_000 });
    await terminals.waitForScreen(/[$#] ?$/m);
    await terminals.typeLine('echo ssh-tab-$((40+2))');
    await terminals.waitForScreen(/ssh-tab-42/);

    // The same host from the New terminal form: it is listed by name, no id to type.
    await terminals.openSshShell('lab-2');
    await terminals.typeLine('echo form-tab-$((40+2))');
    await terminals.waitForScreen(/form-tab-42/);
  });

  it('refuses an address that is not a host name or IP address, takes a port typed after it, and names the RSA key file', async () => {
    const rsaHost = await startTestHost({ simulation: simulations.nestedOff, password, hostKeyType: 'rsa' });
    try {
      const hosts = await openHosts();
      await hosts.openAddForm();
      await hosts.fillForm({ name: 'lab-rsa', address: 'bad;rm -rf /', port: '22', user: rsaHost.user, password });
      await hosts.submitWithEnter();
      await hosts
        .fieldError('Address')
        .getByText(/^"bad;rm -rf \/" is not a host name or an IP address: it contains ";", a space, "\/"\./)
        .waitFor();
      expect(await hosts.field('Address').inputValue()).toBe('bad;rm -rf /');
      expect(await hosts.host('lab-rsa').count()).toBe(0);

      // "127.0.0.1:<port>" fills in the port; the host key dialog names the file of the key type shown.
      await hosts.field('Address').fill(`127.0.0.1:${rsaHost.port}`);
      await hosts.field('Port').fill('');
      await hosts.submitWithEnter();
      await hosts.keyDialog.waitFor();
      expect(await hosts.keyType.textContent()).toBe('ssh-rsa');
      await hosts.keyDialog.getByText('ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub').waitFor();
      expect(await hosts.keyDialog.textContent()).not.toContain('ed25519');
      await hosts.acceptKey();
      await hosts.status('lab-rsa').getByText('Connected').waitFor({ timeout: 20_000 });
      await hosts.host('lab-rsa').getByText(`127.0.0.1:${rsaHost.port}`).first().waitFor();
    } finally {
      await rsaHost.stop();
    }
  });
});
