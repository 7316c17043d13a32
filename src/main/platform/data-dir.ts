import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where browser mode keeps its state. Electron uses app.getPath('userData') instead; both
 * end in a folder named Nestlab so a user finds one place. NESTLAB_DATA_DIR overrides.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.NESTLAB_DATA_DIR) return env.NESTLAB_DATA_DIR;
  if (platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'Nestlab');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Nestlab');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'Nestlab');
}

/**
 * The desktop app's `--data-dir=DIR` (or `--data-dir DIR`), like browser mode's option: a second
 * Nestlab on another folder. Undefined when absent or empty.
 */
export function dataDirArgument(argv: readonly string[]): string | undefined {
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument.startsWith('--data-dir=')) return argument.slice('--data-dir='.length) || undefined;
    if (argument === '--data-dir') return argv[index + 1] || undefined;
  }
  return undefined;
}
