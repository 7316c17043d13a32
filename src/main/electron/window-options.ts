import type { BrowserWindowConstructorOptions } from 'electron';

/**
 * The main window's options. Pure (types only from electron) so a unit test can read them and
 * fail if any part of the security baseline is off.
 */
export function createWindowOptions(preloadPath: string, darkBackground: boolean): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'Nestlab',
    backgroundColor: darkBackground ? '#14161a' : '#f6f7f9',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}
