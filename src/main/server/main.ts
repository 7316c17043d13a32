/**
 * Browser mode's entry: the same services as the desktop app, behind the WebSocket transport.
 * Usage: node out/main/web.js [--port N] [--data-dir DIR] [--static-dir DIR]
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AppError } from '../../shared/errors';
import { Dispatcher } from '../../shared/rpc/dispatcher';
import { defaultDataDir } from '../platform/data-dir';
import { DataDirInUseError, lockDataDir, type DataDirLock } from '../platform/data-dir-lock';
import { PassphraseSecretStore } from '../secrets/passphrase-secret-store';
import type { SecretStore } from '../secrets/secret-store';
import { createServices } from '../services';
import { appVersion } from '../version';
import { createToken } from './request-guard';
import { startWebServer } from './web-server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.NESTLAB_PORT ?? '0' },
    'data-dir': { type: 'string' },
    'static-dir': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Nestlab: --port must be a number from 0 to 65535 (0 picks a free port), not "${values.port}".`);
  process.exit(2);
}

const dataDir = values['data-dir'] ?? defaultDataDir();
const staticDir = values['static-dir'] ?? fileURLToPath(new URL('../renderer', import.meta.url));
const dataDirLock = await lockDataDirOrExit();
const services = await createServices({ mode: 'browser', appVersion, dataDir, secrets: await openSecretStore() });

try {
  const server = await startWebServer({ dispatcher: new Dispatcher(services), token: createToken(), staticDir, port });
  const stop = () => {
    // Terminal shells are ended (not orphaned) before the process goes.
    void Promise.all([server.close(), services.dispose()])
      .then(() => dataDirLock.release())
      .then(() => process.exit(0));
  };
  // Before the URL is printed: whoever reads it may stop the server at once.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // The URL carries the per-launch token in its fragment: print it once, for the user to open.
  console.log(`Nestlab browser mode is running. Open: ${server.url}`);
  console.log(`Data folder: ${dataDir}. Press Ctrl-C to stop.`);
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  console.error(
    code === 'EADDRINUSE'
      ? `Nestlab: port ${port} is already in use. Choose another with --port, or 0 for a free one.`
      : `Nestlab: could not start browser mode: ${(error as Error).message}`,
  );
  process.exit(1);
}

/** The desktop app or another browser mode on the same data folder would overwrite this one's stores. */
async function lockDataDirOrExit(): Promise<DataDirLock> {
  try {
    return await lockDataDir(dataDir, 'browser mode');
  } catch (error) {
    console.error(
      error instanceof DataDirInUseError
        ? `Nestlab: ${error.message}`
        : `Nestlab: cannot use the data folder ${dataDir}: ${(error as Error).message}`,
    );
    process.exit(3);
  }
}

/**
 * Secrets live in memory for the server's lifetime, unless NESTLAB_SECRETS_PASSPHRASE_FILE names a
 * file holding a passphrase (never the passphrase itself: command lines and environments are
 * visible to other processes); then they are kept encrypted with it in the data folder.
 */
async function openSecretStore(): Promise<SecretStore | undefined> {
  const passphraseFile = process.env.NESTLAB_SECRETS_PASSPHRASE_FILE;
  if (passphraseFile === undefined || passphraseFile === '') return undefined;
  try {
    const passphrase = (await readFile(passphraseFile, 'utf8')).replace(/\r?\n$/, '');
    return await PassphraseSecretStore.open(dataDir, passphrase);
  } catch (error) {
    const reason = error instanceof AppError ? error.message : `cannot read ${passphraseFile}.`;
    console.error(`Nestlab: NESTLAB_SECRETS_PASSPHRASE_FILE: ${reason}`);
    process.exit(2);
  }
}
