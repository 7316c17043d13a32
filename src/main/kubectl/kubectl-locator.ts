import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { KubectlStatus } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { RunProgram } from '../platform/run-program';

export interface KubectlLocatorOptions {
  /** resources/bin of a packaged app, when it bundles kubectl. */
  bundledDir?: string;
  /** The PATH to search; the main process's own by default. */
  path?: string;
  platform?: NodeJS.Platform;
  run: RunProgram;
}

/**
 * Finds the kubectl Nestlab uses: the bundled one first, then PATH. It only looks and asks the
 * binary for its version: it never downloads anything (offline labs must keep working).
 */
export async function locateKubectl(options: KubectlLocatorOptions): Promise<KubectlStatus> {
  const exe = (options.platform ?? process.platform) === 'win32' ? 'kubectl.exe' : 'kubectl';
  const candidates: { path: string; source: 'bundled' | 'path' }[] = [];
  if (options.bundledDir) candidates.push({ path: join(options.bundledDir, exe), source: 'bundled' });
  for (const dir of (options.path ?? process.env.PATH ?? '').split(delimiter)) {
    if (dir) candidates.push({ path: join(dir, exe), source: 'path' });
  }

  for (const candidate of candidates) {
    if (!(await isExecutable(candidate.path))) continue;
    try {
      const { stdout } = await options.run(candidate.path, ['version', '--client', '-o', 'json'], { timeoutMs: 5_000 });
      return { available: true, ...candidate, version: parseClientVersion(stdout) };
    } catch (error) {
      const reason = error instanceof AppError ? error.message : String(error);
      return { available: false, reason: `kubectl at ${candidate.path} did not run: ${reason}` };
    }
  }
  return {
    available: false,
    reason:
      'kubectl was not found on PATH. Install kubectl (for example from your distribution) and restart Nestlab; Nestlab never downloads it.',
  };
}

export function parseClientVersion(json: string): string {
  try {
    const parsed = JSON.parse(json) as { clientVersion?: { gitVersion?: unknown } };
    const version = parsed.clientVersion?.gitVersion;
    if (typeof version === 'string' && version) return version;
  } catch {
    // fall through to the error below
  }
  throw new AppError('PROGRAM_FAILED', 'kubectl printed a version in an unexpected format.');
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
