import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, isAppFrameUrl, isSafeExternalUrl, rendererEntryUrl } from './security-policy';
import { createWindowOptions } from './window-options';

describe('main window options (Electron security baseline)', () => {
  const { webPreferences } = createWindowOptions('/app/out/preload/index.cjs', false);

  it('isolates and sandboxes the renderer, with no Node integration anywhere', () => {
    expect(webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('loads the CommonJS preload (a sandboxed preload cannot be ESM)', () => {
    expect(webPreferences?.preload).toMatch(/\.cjs$/);
  });

  it('has a CSP without inline or remote scripts', () => {
    const scriptSrc = /script-src ([^;]+)/.exec(contentSecurityPolicy)?.[1];
    expect(scriptSrc).toBe("'self'");
    expect(contentSecurityPolicy).toContain("default-src 'none'");
    expect(contentSecurityPolicy).not.toMatch(/unsafe-eval|https?:/);
  });
});

describe('security policy decisions', () => {
  it('opens only plain http(s) URLs externally', () => {
    expect(isSafeExternalUrl('https://kubernetes.io/docs/')).toBe(true);
    expect(isSafeExternalUrl('http://192.0.2.10:8080/')).toBe(true);
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@host/',
      'not a url',
      'ms-settings:',
    ]) {
      expect(isSafeExternalUrl(url)).toBe(false);
    }
  });

  it("accepts IPC only from the app's own page", () => {
    const packaged = { entryUrl: 'file:///opt/Nestlab/resources/app.asar/out/renderer/index.html' };
    expect(isAppFrameUrl('file:///opt/Nestlab/resources/app.asar/out/renderer/index.html', packaged)).toBe(true);
    expect(isAppFrameUrl('file:///home/user/Downloads/evil.html', packaged)).toBe(false);
    expect(isAppFrameUrl('https://evil.example/', packaged)).toBe(false);
    expect(isAppFrameUrl(undefined, packaged)).toBe(false);
    const dev = { entryUrl: 'http://localhost:5173/' };
    expect(isAppFrameUrl('http://localhost:5173/#/hosts', dev)).toBe(true);
    expect(isAppFrameUrl('http://localhost:5174/', dev)).toBe(false);
  });
});

describe('renderer entry URL', () => {
  const indexHtmlUrl = 'file:///opt/Nestlab/resources/app.asar/out/renderer/index.html';

  it('ignores ELECTRON_RENDERER_URL in a packaged app', () => {
    for (const devServerUrl of ['https://evil.example/', 'http://localhost:5173/']) {
      expect(rendererEntryUrl({ isPackaged: true, devServerUrl, indexHtmlUrl })).toBe(indexHtmlUrl);
    }
  });

  it("uses electron-vite's dev server in development, only on loopback over http(s)", () => {
    expect(rendererEntryUrl({ isPackaged: false, devServerUrl: 'http://localhost:5173/', indexHtmlUrl })).toBe('http://localhost:5173/');
    expect(rendererEntryUrl({ isPackaged: false, devServerUrl: 'http://127.0.0.1:5173', indexHtmlUrl })).toBe('http://127.0.0.1:5173');
    for (const devServerUrl of ['https://evil.example/', 'file:///tmp/evil.html', 'not a url', '', undefined]) {
      expect(rendererEntryUrl({ isPackaged: false, devServerUrl, indexHtmlUrl })).toBe(indexHtmlUrl);
    }
  });
});
