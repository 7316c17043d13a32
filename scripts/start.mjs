#!/usr/bin/env node
// `npm start`: builds, then runs the desktop app. Where the Electron binary cannot be had
// (offline machines: the electron package downloads it on first use), says so in one line and
// starts browser mode instead. `npm run start:web` (--web) goes to browser mode directly.
// Other arguments (e.g. --port 7480, --data-dir DIR) are passed to browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const webOnly = args.includes('--web');
const passThrough = args.filter((arg) => arg !== '--web');

build();
const electron = webOnly ? undefined : electronBinary();
if (electron) {
  run(electron, ['.', ...passThrough]);
} else {
  if (!webOnly) {
    console.log(
      'Nestlab: the Electron binary is not installed and could not be downloaded (offline?), so Nestlab starts in browser mode instead.',
    );
  }
  run(process.execPath, ['out/main/web.js', ...passThrough]);
}

function build() {
  const result = spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build', '--logLevel', 'warn'], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('Nestlab: the build failed (see above).');
    process.exit(result.status ?? 1);
  }
}

/** The Electron executable, downloading it (quietly, with a time limit) if it is missing. */
function electronBinary() {
  let packageDir;
  try {
    packageDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  const located = locate(packageDir);
  if (located) return located;
  const install = spawnSync(process.execPath, [join(packageDir, 'install.js')], { stdio: 'ignore', timeout: 120_000 });
  return install.status === 0 ? locate(packageDir) : undefined;
}

function locate(packageDir) {
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

function run(file, argv) {
  const child = spawn(file, argv, { stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
}
