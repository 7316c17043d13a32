import type { Session } from 'electron';

/** The part of an Electron session that decides permissions (structural, so a test can hold the handlers). */
export type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

/**
 * The one permission a Nestlab page uses: writing text to the clipboard (Copy in the terminal and
 * the lab dry run). Chromium grants it to any focused page without asking; reading the
 * clipboard is not granted (it could hold a password).
 */
const allowedPermissions: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/**
 * No Nestlab page needs any other browser permission (camera, microphone, notifications,
 * clipboard read, geolocation, HID/USB/serial devices, ...), so every other request is denied
 * without asking and every check answers false: a script injected into the page gets no more
 * than the page.
 */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(allowedPermissions.has(permission)));
  session.setPermissionCheckHandler((_contents, permission) => allowedPermissions.has(permission));
  session.setDevicePermissionHandler(() => false);
}
