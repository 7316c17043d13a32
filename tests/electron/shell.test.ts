/**
 * The real desktop shell through Playwright's Electron support (the Spectron successor).
 * Needs the Electron binary: see tests/electron/vitest.config.ts.
 */
import { execFileSync } from 'node:child_process';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let app: ElectronApplication;
let window: Page;

beforeAll(async () => {
  execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'inherit' });
  app = await electron.launch({ args: ['.'] });
  window = await app.firstWindow();
});

afterAll(async () => {
  await app.close();
});

describe('Electron shell', () => {
  it('connects the renderer to the main process over IPC', async () => {
    await window.getByText('Connected to main process').waitFor();
    expect(await window.getByTestId('status-kubectl').textContent()).toMatch(/kubectl/);
  });

  it('gives the page no Node and only the generic bridge', async () => {
    const globals = await window.evaluate(() => ({
      require: typeof (globalThis as Record<string, unknown>).require,
      process: typeof (globalThis as Record<string, unknown>).process,
      bridge: Object.keys((globalThis as unknown as { nestlab: object }).nestlab).sort(),
    }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'subscribe'] });
  });

  it('refuses navigation and new windows', async () => {
    const before = window.url();
    await window.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    expect(window.url()).toBe(before);
    const opened = await window.evaluate(() => window.open('https://example.com/') === null);
    expect(opened).toBe(true);
    expect(app.windows()).toHaveLength(1);
  });

  it('runs with sandbox and context isolation on', async () => {
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]!.webContents;
      return contents.getLastWebPreferences();
    });
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
  });
});
