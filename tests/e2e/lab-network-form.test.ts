/**
 * The plan form's lab network, in Chromium against browser mode and a real sshd test host
 * (SIMULATION: stand-in libvirt tools; nothing is created here): typing another network moves the
 * DHCP pool, the LoadBalancer range and the API endpoint address into it as the user types; a
 * field the user typed is left as it is; text that is no lab network yet is said to be so, with
 * the fix, and changes nothing else. TEST-NET and private addresses only: none is contacted.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulations } from '../harness/ssh/profiles';
import { startTestHost, type TestHost } from '../harness/ssh/test-host';
import { AppPage } from './pages/app-page';
import { HostsPage } from './pages/hosts-page';
import { LabsPage } from './pages/labs-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

const password = 'CANARY-e2e-lab-network-form-52c9e1';

let browser: Browser;
let context: BrowserContext;
let server: BrowserModeServer;
let host: TestHost;
let dataDir: string;

beforeAll(async () => {
  host = await startTestHost({ simulation: simulations.nestedOn, password });
  dataDir = await tempDir('e2e-lab-network');
  process.env.KUBECONFIG = join(dataDir, 'no-kubeconfig');
  browser = await launchChromium();
  server = await startBrowserModeServer(dataDir);
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  await browser?.close();
  await host?.stop();
});

const LAID_OUT = [
  'Address pool start',
  'Address pool end',
  'LoadBalancer range start (MetalLB)',
  'LoadBalancer range end',
  'API endpoint address',
];

async function laidOut(labs: LabsPage): Promise<string[]> {
  return Promise.all(LAID_OUT.map((label) => labs.field(label).inputValue()));
}

/** Clears a text box and types into it key by key, as a user does. */
async function typeInto(labs: LabsPage, label: string, text: string): Promise<void> {
  const field = labs.field(label);
  await field.focus();
  await field.press('ControlOrMeta+a');
  await field.press('Backspace');
  await field.pressSequentially(text);
}

describe('Plan form: a typed lab network lays out the pool, LoadBalancer range and endpoint address', () => {
  it(
    'follows the network as it is typed, keeps what the user typed, and explains a network it cannot use',
    { timeout: 180_000 },
    async () => {
      const app = new AppPage(await context.newPage());
      await app.open(server.url);
      await app.waitConnected();
      await app.openView('Hosts');
      const hosts = new HostsPage(app.page);
      await hosts.addTrusted({ name: 'kvm-lab', address: '127.0.0.1', port: String(host.port), user: host.user, password });

      await app.openView('Labs');
      const labs = new LabsPage(app.page);
      await labs.planButton.click();
      await labs.form.waitFor();
      await labs.form.getByTestId('allocated-ranges').getByText('Free on kvm-lab: network 192.168.150.0/24').waitFor({ timeout: 30_000 });
      expect(await laidOut(labs)).toEqual(['192.168.150.100', '192.168.150.199', '192.168.150.200', '192.168.150.239', '192.168.150.10']);

      // Another network, typed key by key: the laid-out fields move into it, and the field says they follow it.
      await typeInto(labs, 'Network (CIDR)', '198.51.100.0/24');
      expect(await laidOut(labs)).toEqual(['198.51.100.100', '198.51.100.199', '198.51.100.200', '198.51.100.239', '198.51.100.10']);
      expect(await labs.fieldDescription('Network (CIDR)')).toContain(
        'The pool, LoadBalancer range and endpoint address follow it until you type your own.',
      );

      // The endpoint address typed by hand stays when the network changes again; the others follow.
      await labs.field('API endpoint address').fill('198.51.100.20');
      await typeInto(labs, 'Network (CIDR)', '203.0.113.0/28');
      expect(await laidOut(labs)).toEqual(['203.0.113.6', '203.0.113.11', '203.0.113.12', '203.0.113.14', '198.51.100.20']);

      // Text that is no lab network: said at the field with the fix, as it is typed; nothing else changes.
      const before = await laidOut(labs);
      await typeInto(labs, 'Network (CIDR)', '203.0.113.5/24');
      const note = labs.form.getByTestId('network-note');
      await note.getByText('203.0.113.5/24 does not start at its network address. Use 203.0.113.0/24.', { exact: false }).waitFor();
      expect(await note.textContent()).toContain('keep their values until it is one');
      expect(await laidOut(labs)).toEqual(before);
      // Checked anyway: refused at the field before a round trip; the typed text and the other fields stay.
      await labs.button('Check plan').click();
      await labs.fieldError('network.cidr').getByText('203.0.113.5/24 does not start at its network address.', { exact: false }).waitFor();
      expect(await labs.field('Network (CIDR)').inputValue()).toBe('203.0.113.5/24');
      expect(await laidOut(labs)).toEqual(before);
      await labs.screenshotIfAsked('labs-network-refused.png');

      // Fixed: the form follows again and the check answers (the hand-typed endpoint is outside the network: the service says so there).
      await typeInto(labs, 'Network (CIDR)', '203.0.113.0/24');
      await labs.fieldError('network.cidr').waitFor({ state: 'detached' });
      expect(await laidOut(labs)).toEqual(['203.0.113.100', '203.0.113.199', '203.0.113.200', '203.0.113.239', '198.51.100.20']);
      await labs.button('Check plan').click();
      await labs
        .fieldError('apiEndpoint.address')
        .getByText('The API endpoint address "198.51.100.20" is not a usable address of 203.0.113.0/24', { exact: false })
        .waitFor({ timeout: 30_000 });
      expect(await labs.fieldError('apiEndpoint.address').textContent()).toContain('e.g. 203.0.113.10');
    },
  );
});
