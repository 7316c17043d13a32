/**
 * Pure decisions behind the Electron security handlers, tested without Electron.
 */

/** The renderer's own location: a file URL of index.html, or the dev server in development. */
export interface AppOrigin {
  /** URL of the renderer's index.html as loaded. */
  entryUrl: string;
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

/** The Content-Security-Policy of the app's pages (also set in index.html's meta tag). */
export const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
