/**
 * The real desktop shell through Playwright's Electron support (the Spectron successor).
 * Needs the Electron binary: see tests/electron/vitest.config.ts.
 */
import { execFileSync } from 'node:child_process';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let app: ElectronApplication;
let page: Page;

beforeAll(async () => {
  execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'inherit' });
  app = await electron.launch({ args: ['.'] });
  page = await app.firstWindow();
});

afterAll(async () => {
  await app.close();
});

describe('Electron shell', () => {
  it('connects the renderer to the main process over IPC', async () => {
    await page.getByText('Connected to main process').waitFor();
    expect(await page.getByTestId('status-kubectl').textContent()).toMatch(/kubectl/);
  });

  it('gives the page no Node and only the generic bridge', async () => {
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as Record<string, unknown>).require,
      process: typeof (globalThis as Record<string, unknown>).process,
      bridge: Object.keys((globalThis as unknown as { nestlab: object }).nestlab).sort(),
    }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'subscribe'] });
  });

  it('grants the page no browser permission (camera, microphone, location, clipboard read)', async () => {
    const states = await page.evaluate(async () => {
      const answers: Record<string, string> = {};
      for (const name of ['camera', 'microphone', 'geolocation', 'clipboard-read']) {
        answers[name] = (await navigator.permissions.query({ name: name as PermissionName })).state;
      }
      return answers;
    });
    expect(states).toEqual({ camera: 'denied', microphone: 'denied', geolocation: 'denied', 'clipboard-read': 'denied' });
  });

  it('refuses navigation and new windows', async () => {
    const before = page.url();
    await page.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    expect(page.url()).toBe(before);
    const opened = await page.evaluate(
      () => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com/') === null,
    );
    expect(opened).toBe(true);
    expect(app.windows()).toHaveLength(1);
  });
});
