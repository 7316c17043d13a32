import { app, session, shell, type WebContents } from 'electron';
import { denyAllPermissions } from './permissions';
import { contentSecurityPolicy, isSafeExternalUrl } from './security-policy';

/**
 * Applies the security baseline to the default session and every web contents: no permission
 * is ever granted, no navigation away from the app, no new windows (http(s) links open in the
 * OS browser after a check), no webviews.
 */
export function applySecurityBaseline(): void {
  denyAllPermissions(session.defaultSession);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy] },
    });
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}

function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}
