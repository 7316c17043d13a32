/**
 * The desktop app's entry: builds the services, binds them to Electron IPC, opens the window.
 * Composition only; every behaviour lives in a service or in the security modules.
 */
import { app, BrowserWindow, nativeTheme } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Dispatcher } from '../../shared/rpc/dispatcher';
import { createServices, type AppServices } from '../services';
import { appVersion } from '../version';
import { serveIpc } from './ipc-transport';
import { applySecurityBaseline } from './security';
import { createWindowOptions } from './window-options';

const here = fileURLToPath(new URL('.', import.meta.url));
const devServerUrl = process.env.ELECTRON_RENDERER_URL;
const entryUrl = devServerUrl ?? pathToFileURL(join(here, '../renderer/index.html')).href;

if (!app.requestSingleInstanceLock()) app.quit();

let services: AppServices | undefined;

void app.whenReady().then(() => {
  applySecurityBaseline();
  services = createServices({
    mode: 'electron',
    appVersion,
    dataDir: app.getPath('userData'),
    bundledBinDir: app.isPackaged ? join(process.resourcesPath, 'bin') : undefined,
  });
  serveIpc(new Dispatcher(services), { entryUrl });
  openWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
});

app.on('second-instance', () => {
  const [window] = BrowserWindow.getAllWindows();
  if (window) {
    if (window.isMinimized()) window.restore();
    window.focus();
  }
});

// Terminal shells must not outlive the app: hold the quit until they are ended.
app.on('will-quit', (event) => {
  const running = services;
  if (running === undefined) return;
  services = undefined;
  event.preventDefault();
  void running.dispose().finally(() => app.quit());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

function openWindow(): void {
  const window = new BrowserWindow(createWindowOptions(join(here, '../preload/index.cjs'), nativeTheme.shouldUseDarkColors));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(entryUrl);
}
