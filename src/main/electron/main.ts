/**
 * The desktop app's entry: builds the services, binds them to Electron IPC, opens the window.
 * Composition only; every behaviour lives in a service or in the security modules.
 */
import { app, BrowserWindow, dialog, nativeTheme, safeStorage } from 'electron';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Dispatcher } from '../../shared/rpc/dispatcher';
import { allowWeakSecretStorageVariable } from '../hosts/secret-storage-info';
import { dataDirArgument } from '../platform/data-dir';
import { lockDataDir, type DataDirLock } from '../platform/data-dir-lock';
import { OsEncryptionSecretStore } from '../secrets/os-encryption-secret-store';
import { createServices, type AppServices } from '../services';
import { appVersion } from '../version';
import { serveIpc } from './ipc-transport';
import { osEncryptionFromSafeStorage } from './os-encryption-adapter';
import { applySecurityBaseline } from './security';
import { rendererEntryUrl } from './security-policy';
import { createWindowOptions } from './window-options';

const here = fileURLToPath(new URL('.', import.meta.url));
const entryUrl = rendererEntryUrl({
  isPackaged: app.isPackaged,
  devServerUrl: process.env.ELECTRON_RENDERER_URL,
  indexHtmlUrl: pathToFileURL(join(here, '../renderer/index.html')).href,
});

// Another data folder (as in browser mode) makes this a separate instance: set before the
// single-instance lock, which is per folder.
const dataDirOverride = dataDirArgument(process.argv);
if (dataDirOverride !== undefined) app.setPath('userData', resolve(dataDirOverride));

if (!app.requestSingleInstanceLock()) app.quit();

let services: AppServices | undefined;
let dataDirLock: DataDirLock | undefined;

void app.whenReady().then(async () => {
  applySecurityBaseline();
  const dataDir = app.getPath('userData');
  // Browser mode may hold the same folder (requestSingleInstanceLock sees only desktop apps).
  try {
    dataDirLock = await lockDataDir(dataDir, 'desktop app');
  } catch (error) {
    dialog.showErrorBox('Nestlab cannot start', (error as Error).message);
    app.exit(3);
    return;
  }
  services = await createServices({
    mode: 'electron',
    appVersion,
    dataDir,
    bundledBinDir: app.isPackaged ? join(process.resourcesPath, 'bin') : undefined,
    catalogDir: app.isPackaged ? join(process.resourcesPath, 'catalog') : undefined,
    // safeStorage's 'basic_text' backend (Linux without a keyring) is only obfuscation: the
    // store refuses to save secrets with it unless the user opted in with this variable.
    secrets: new OsEncryptionSecretStore({
      dataDir,
      encryption: osEncryptionFromSafeStorage(safeStorage),
      allowPlainTextBackend: process.env[allowWeakSecretStorageVariable] === '1',
    }),
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
  void running
    .dispose()
    .then(() => dataDirLock?.release())
    .finally(() => app.quit());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

function openWindow(): void {
  const window = new BrowserWindow(createWindowOptions(join(here, '../preload/index.cjs'), nativeTheme.shouldUseDarkColors));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(entryUrl);
}
