/**
 * A host whose name does not resolve, in Chromium against browser mode: the first connection says
 * the name could not be resolved and how to fix it, not "Sign-in refused" with an ssh-agent
 * message (issue #17). The server and Chromium both run in a resolver namespace of the test's own
 * (tests/harness/dns), where glibc asks a DNS server on the namespace's 127.0.0.1 that answers
 * NXDOMAIN, as resolvers do for the reserved .invalid domain: nothing leaves the namespace.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentWithoutAgent, startResolverNamespace, type ResolverNamespace } from '../harness/dns/resolver-namespace';
import { AppPage } from './pages/app-page';
import { HostsPage } from './pages/hosts-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { chromiumPath, launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

const name = 'lab-gone.nestlab.invalid';

let namespace: ResolverNamespace;
let browser: Browser;
let server: BrowserModeServer;
let dataDir: string;

beforeAll(async () => {
  namespace = await startResolverNamespace();
  dataDir = await tempDir('e2e-hosts-dns');
  // No ssh-agent for the server: with one missing, the old code blamed the sign-in.
  server = await startBrowserModeServer(dataDir, { wrap: namespace.command, env: environmentWithoutAgent() });
  browser = await launchChromium([], await namespace.wrapper(chromiumPath));
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await namespace?.stop();
});

describe('Hosts view: a host name that does not resolve', () => {
  it('says the name could not be resolved and how to fix it on the first connection', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
    const app = new AppPage(await context.newPage());
    await app.open(server.url);
    await app.waitConnected();
    await app.openView('Hosts');
    const hosts = new HostsPage(app.page);

    await hosts.openAddForm();
    await hosts.fillForm({ name: 'gone', address: name, port: '22', user: 'lab', agent: true });
    await hosts.submitWithEnter();
    await hosts.formDialog.waitFor({ state: 'detached' });

    const problem = hosts.connectionProblem('gone');
    await problem.waitFor({ timeout: 30_000 });
    expect(await problem.textContent()).toBe(
      `The host name "${name}" could not be resolved (ENOTFOUND), so nothing was sent. Check its spelling, your DNS server or /etc/hosts, or use the host's IP address.`,
    );
    expect(await hosts.status('gone').textContent()).toBe('Unreachable');
    expect(await hosts.keyDialog.count()).toBe(0);
    await hosts.screenshotIfAsked('hosts-unresolvable-name.png');
    // The server really asked the namespace's DNS server, which said no such name.
    expect(namespace.asked()).toContain(name);
    await context.close();
  });
});
