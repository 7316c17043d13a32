/**
 * Pure decisions behind the Electron security handlers, tested without Electron.
 */

/** The renderer's own location: a file URL of index.html, or the dev server in development. */
export interface AppOrigin {
  /** URL of the renderer's index.html as loaded. */
  entryUrl: string;
}

/**
 * Where the window loads the renderer from. electron-vite's dev server sets ELECTRON_RENDERER_URL
 * for `npm run dev`; a packaged app ignores it, or anyone who can set a variable in the user's
 * environment could load a page of their choice into a window that holds the IPC bridge. In
 * development it must be an http(s) URL on loopback.
 */
export function rendererEntryUrl(options: { isPackaged: boolean; devServerUrl: string | undefined; indexHtmlUrl: string }): string {
  const { isPackaged, devServerUrl, indexHtmlUrl } = options;
  if (isPackaged || devServerUrl === undefined || devServerUrl === '') return indexHtmlUrl;
  let url: URL;
  try {
    url = new URL(devServerUrl);
  } catch {
    return indexHtmlUrl;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return (url.protocol === 'http:' || url.protocol === 'https:') && loopback ? devServerUrl : indexHtmlUrl;
}

/** True for a frame that belongs to the app: same origin for http(s), same file for file:. */
export function isAppFrameUrl(frameUrl: string | undefined, app: AppOrigin): boolean {
  if (!frameUrl) return false;
  let frame: URL;
  let entry: URL;
  try {
    frame = new URL(frameUrl);
    entry = new URL(app.entryUrl);
  } catch {
    return false;
  }
  if (entry.protocol === 'file:') return frame.protocol === 'file:' && frame.pathname === entry.pathname;
  return frame.origin === entry.origin;
}

/**
 * Only http(s) URLs, parsed, without credentials, go to the OS browser; everything else
 * (file:, javascript:, custom schemes that launch programs) is refused.
 */
export function isSafeExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '' && url.hostname !== '';
}

/** The Content-Security-Policy of the app's pages (see src/shared/content-security-policy.ts). */
export { contentSecurityPolicy } from '../../shared/content-security-policy';
