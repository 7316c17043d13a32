import type { Session, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { denyAllPermissions, type PermissionSession } from './permissions';

type RequestHandler = Parameters<Session['setPermissionRequestHandler']>[0];
type CheckHandler = Parameters<Session['setPermissionCheckHandler']>[0];
type DeviceHandler = Parameters<Session['setDevicePermissionHandler']>[0];
type Permission = Parameters<NonNullable<RequestHandler>>[1];

/** Holds what denyAllPermissions installs, as an Electron session would. */
function sessionHoldingHandlers() {
  const installed: { request?: RequestHandler; check?: CheckHandler; device?: DeviceHandler } = {};
  const session: PermissionSession = {
    setPermissionRequestHandler: (handler) => void (installed.request = handler),
    setPermissionCheckHandler: (handler) => void (installed.check = handler),
    setDevicePermissionHandler: (handler) => void (installed.device = handler),
  };
  return { session, installed };
}

// The permissions a page can ask Electron for (Electron 45's list), the powerful ones first.
const permissions: Permission[] = [
  'media',
  'display-capture',
  'clipboard-read',
  'notifications',
  'geolocation',
  'openExternal',
  'hid',
  'serial',
  'usb',
  'midiSysex',
  'fileSystem',
  'local-fonts',
  'idle-detection',
  'window-management',
  'pointerLock',
  'fullscreen',
  'persistent-storage',
  'storage-access',
  'unknown',
];

describe('Electron permission handlers', () => {
  it('deny every permission request at once, without asking', () => {
    const { session, installed } = sessionHoldingHandlers();
    denyAllPermissions(session);
    expect(installed.request).toBeTypeOf('function');
    const contents = { id: 1 } as WebContents;
    for (const permission of permissions) {
      const answers: boolean[] = [];
      installed.request!(contents, permission, (granted) => answers.push(granted), {
        requestingUrl: 'file:///app/index.html',
        isMainFrame: true,
      });
      expect({ permission, answers }).toEqual({ permission, answers: [false] });
    }
  });

  it('let the page write text to the clipboard (Copy), and nothing else', () => {
    const { session, installed } = sessionHoldingHandlers();
    denyAllPermissions(session);
    const answers: boolean[] = [];
    installed.request!({ id: 1 } as WebContents, 'clipboard-sanitized-write', (granted) => answers.push(granted), {
      requestingUrl: 'file:///app/index.html',
      isMainFrame: true,
    });
    expect(answers).toEqual([true]);
    expect(installed.check!(null, 'clipboard-sanitized-write', 'file:///', { isMainFrame: true, requestingUrl: 'file:///' })).toBe(true);
  });

  it('answer every permission check and device request with no', () => {
    const { session, installed } = sessionHoldingHandlers();
    denyAllPermissions(session);
    for (const permission of permissions) {
      expect(installed.check!(null, permission, 'file:///', { isMainFrame: true, requestingUrl: 'file:///' })).toBe(false);
    }
    expect(
      installed.device!({ deviceType: 'usb', origin: 'file:///', device: { deviceId: '1', vendorId: 1, productId: 1 } } as never),
    ).toBe(false);
  });
});
