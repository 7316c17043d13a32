import type { Session } from 'electron';

/** The part of an Electron session that decides permissions (structural, so a test can hold the handlers). */
export type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

/**
 * No Nestlab page needs a browser permission (camera, microphone, notifications, clipboard
 * read, geolocation, HID/USB/serial devices, ...), so every request is denied without asking
 * and every check answers false: a script injected into the page gets no more than the page.
 */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
