/**
 * The app in real Chromium against real browser mode (the built server, real services).
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppPage } from './pages/app-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

let browser: Browser;
let context: BrowserContext;
let server: BrowserModeServer;
let dataDir: string;

beforeAll(async () => {
  // rebind.test and evil.test are made-up names that Chromium resolves to loopback.
  browser = await launchChromium(['MAP rebind.test 127.0.0.1', 'MAP evil.test 127.0.0.1']);
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  dataDir = await tempDir('e2e');
  server = await startBrowserModeServer(dataDir);
  context = await browser.newContext({ viewport: { width: 1200, height: 760 }, colorScheme: 'light' });
});
afterEach(async () => {
  // A beforeEach that failed half way leaves some unset: its own error is the one to report.
  await context?.close();
  await server?.stop();
});

function kubectlClientVersion(): string {
  const json = execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  return (JSON.parse(json) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
}

describe('Nestlab in Chromium (browser mode)', () => {
  it('loads and shows system info fetched over the WebSocket transport', async () => {
    const app = new AppPage(await context.newPage());
    await app.open(server.url);
    await app.waitConnected();
    // The token leaves the address bar once read.
    expect(app.page.url()).not.toContain(server.token);
    await expect.poll(() => app.page.getByTestId('status-kubectl').textContent()).toBe(`kubectl ${kubectlClientVersion()}`);
    await app.openView('Settings');
    await expect.poll(() => app.page.getByTestId('about-mode').textContent()).toBe('Browser mode');
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    await expect.poll(() => app.page.getByTestId('about-version').textContent()).toBe(`Nestlab ${version}`);

    await app.page.screenshot({ path: screenshotPath('settings.png') });
    await app.openView('Clusters');
    await app.page.screenshot({ path: screenshotPath('clusters.png') });
  });

  it('keeps a changed setting across a server restart', async () => {
    const app = new AppPage(await context.newPage());
    await app.open(server.url);
    await app.waitConnected();
    await app.openView('Settings');
    await app.themeOption('Dark').check();
    await app.expectTheme('dark');
    await app.field('Terminal font size').fill('16');
    await app.saveButton.click();
    await app.page.getByRole('status').getByText('Saved').waitFor();

    await server.stop();
    await app.page.getByText('Connection lost').waitFor();
    server = await startBrowserModeServer(dataDir);
    const reopened = new AppPage(await context.newPage());
    await reopened.open(server.url);
    await reopened.waitConnected();
    await reopened.expectTheme('dark');
    await reopened.openView('Settings');
    await expect.poll(() => reopened.field('Terminal font size').inputValue()).toBe('16');
    expect(await reopened.themeOption('Dark').isChecked()).toBe(true);
  });

  it('keeps what the user typed when it is invalid, explains it, and saves nothing', async () => {
    const app = new AppPage(await context.newPage());
    await app.open(server.url);
    await app.waitConnected();
    await app.openView('Settings');
    await app.field('Registry mirror').fill('http://mirror');
    await app.page.getByText('without http://').waitFor();
    expect(await app.saveButton.isDisabled()).toBe(true);
    expect(await app.field('Registry mirror').inputValue()).toBe('http://mirror');
    expect(await app.field('Registry mirror').getAttribute('aria-invalid')).toBe('true');
  });

  it('is usable from the keyboard: Alt+digit opens views, arrow keys move through navigation', async () => {
    const app = new AppPage(await context.newPage());
    await app.open(server.url);
    await app.waitConnected();
    await app.page.keyboard.press('Alt+8');
    await app.page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await app.navItem('Settings').focus();
    await app.page.keyboard.press('ArrowUp');
    await app.page.keyboard.press('Enter');
    await app.page.getByRole('heading', { level: 1, name: 'Terminals' }).waitFor();
    expect(await app.navItem('Terminals').getAttribute('aria-current')).toBe('page');
  });

  it('shows a clear refusal for a wrong token instead of hanging', async () => {
    const app = new AppPage(await context.newPage());
    await app.open(`http://127.0.0.1:${server.port}/#token=${'x'.repeat(43)}`);
    await app.page.getByText('Nestlab refused this page.').waitFor();
    await app.page.getByText('the access token is missing or wrong').waitFor();
    expect(await app.connectionStatus.textContent()).toBe('Refused by Nestlab server');
  });

  it('refuses a page reached through another host name (DNS rebinding)', async () => {
    const page = await context.newPage();
    const response = await page.goto(`http://rebind.test:${server.port}/#token=${server.token}`);
    expect(response?.status()).toBe(421);
    expect(await page.textContent('body')).toContain('is not this Nestlab server');
  });

  it('refuses a WebSocket from a foreign origin, even one that knows the token', async () => {
    const evil = await serveEvilPage();
    try {
      const page = await context.newPage();
      await page.goto(`http://evil.test:${evil.port}/`);
      const outcome = await page.evaluate(
        ({ port, token }) =>
          new Promise<string>((resolve) => {
            const socket = new WebSocket(`ws://127.0.0.1:${port}/rpc`, ['nestlab.rpc.v1', `nestlab.token.${token}`]);
            socket.onopen = () => resolve('opened');
            socket.onclose = () => resolve('refused');
          }),
        { port: server.port, token: server.token },
      );
      expect(outcome).toBe('refused');
    } finally {
      await new Promise((resolve) => evil.server.close(resolve));
    }
  });

  it('never prints the token except in the one URL line', async () => {
    const app = new AppPage(await context.newPage());
    await app.open(server.url);
    await app.waitConnected();
    await app.open(`http://127.0.0.1:${server.port}/#token=${'y'.repeat(43)}`);
    await app.page.getByText('Nestlab refused this page.').waitFor();
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.includes(server.token));
    expect(lines).toEqual([`Nestlab browser mode is running. Open: ${server.url}`]);
  });
});

/** A page on another origin (a "foreign site" on loopback) for the Origin test. */
async function serveEvilPage(): Promise<{ server: Server; port: number }> {
  const evil = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<!doctype html><title>elsewhere</title>');
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  return { server: evil, port: (evil.address() as AddressInfo).port };
}

/** Screenshots go to docs/screenshots when refreshing the README's pictures, else test-results. */
function screenshotPath(name: string): string {
  const dir = process.env.NESTLAB_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
  void mkdir(dir, { recursive: true });
  return join(dir, name);
}
