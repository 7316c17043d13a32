import { randomUUID } from 'node:crypto';
import { access, chmod, constants, copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, delimiter, dirname, join, resolve, sep } from 'node:path';
import type { KubectlNote, KubectlShelf, KubectlShelfEntry, KubectlSource, KubectlStatus } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import type { RunProgram } from '../platform/run-program';

export interface KubectlShelfOptions {
  /** resources/bin of a packaged app: a kubectl there and one in each sub-folder (one per version). */
  bundledDir?: string | undefined;
  /** Where kubectls the user adds are kept, one folder per version; without it nothing can be added. */
  shelfDir?: string | undefined;
  /** The PATH whose first kubectl is on the shelf; the main process's own by default. */
  path?: string | undefined;
  platform?: NodeJS.Platform;
  run: RunProgram;
}

/** A server's version as /version reports it, or why it could not be read. */
export type ServerVersionAnswer = { gitVersion: string; major: number; minor: number } | { problem: string };

/** The kubectl a terminal gets and the note its tab shows. */
export interface KubectlChoice {
  kubectl: KubectlStatus;
  note?: KubectlNote;
}

/** The skew kubectl supports: one minor version older or newer than the API server. */
const SUPPORTED_SKEW = 1;
const SOURCE_ORDER: Record<KubectlSource, number> = { bundled: 0, added: 1, path: 2 };

interface Probe {
  /** mtime and size of the file when it was asked: a replaced file is asked again. */
  stamp: string;
  result: { version: string; minor: number; platform?: string } | { problem: string };
}

/**
 * The kubectl versions Nestlab keeps (bundled with the app, added by the user, the first on PATH),
 * each verified by running `kubectl version --client -o json`, and the choice of one for a server
 * version within kubectl's supported skew. It only looks and copies: it never downloads anything.
 */
export class KubectlShelfService {
  private readonly probes = new Map<string, Probe>();
  private readonly exe: string;

  constructor(private readonly options: KubectlShelfOptions) {
    this.exe = (options.platform ?? process.platform) === 'win32' ? 'kubectl.exe' : 'kubectl';
  }

  async list(): Promise<KubectlShelf> {
    const entries: KubectlShelfEntry[] = [];
    const problems: KubectlShelf['problems'] = [];
    for (const candidate of await this.candidates()) {
      const result = await this.probe(candidate.path);
      if ('problem' in result) problems.push({ path: candidate.path, reason: result.problem });
      else entries.push({ path: candidate.path, source: candidate.source, ...result });
    }
    entries.sort((a, b) => SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] || compareVersions(b.version, a.version));
    return { entries, problems };
  }

  /** The kubectl of a shell with no context: the shelf's first (bundled, then added, then PATH). */
  async defaultKubectl(): Promise<KubectlStatus> {
    const shelf = await this.list();
    const first = shelf.entries[0];
    if (first !== undefined) return statusOf(first);
    const problem = shelf.problems[0];
    if (problem !== undefined) return { available: false, reason: `kubectl at ${problem.path} ${problem.reason}` };
    return {
      available: false,
      reason:
        'kubectl was not found on PATH. Install kubectl (for example from your distribution) or add one to the kubectl shelf in Settings; Nestlab never downloads it.',
    };
  }

  /**
   * The kubectl for a server: the same minor version first, then one newer, then one older (the
   * skew kubectl supports); among those, bundled before added before PATH, the newest patch first.
   * When none fits (or the server's version is unknown) the default one, with a warning.
   */
  async forServer(server: ServerVersionAnswer): Promise<KubectlChoice> {
    const shelf = await this.list();
    const fallback = await this.defaultKubectl();
    if ('problem' in server) {
      return {
        kubectl: fallback,
        note: {
          tone: 'warning',
          text: `The server's version could not be read (${server.problem}), so kubectl could not be matched to it${usingText(fallback)}.`,
        },
      };
    }
    const rank = (entry: KubectlShelfEntry) => {
      const skew = entry.minor - server.minor;
      return skew === 0 ? 0 : skew === 1 ? 1 : 2;
    };
    const fitting = shelf.entries
      .filter((entry) => Math.abs(entry.minor - server.minor) <= SUPPORTED_SKEW && majorOf(entry.version) === server.major)
      .sort((a, b) => rank(a) - rank(b) || SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] || compareVersions(b.version, a.version));
    const chosen = fitting[0];
    if (chosen !== undefined) {
      return {
        kubectl: statusOf(chosen),
        note: {
          tone: 'info',
          text: `kubectl ${chosen.version} (${sourceText(chosen)}) for server ${server.gitVersion}`,
          serverVersion: server.gitVersion,
        },
      };
    }
    const range = `1.${Math.max(0, server.minor - SUPPORTED_SKEW)}-1.${server.minor + SUPPORTED_SKEW}`;
    return {
      kubectl: fallback,
      note: {
        tone: 'warning',
        text:
          `No kubectl on the shelf is within one minor version of server ${server.gitVersion}${usingText(fallback)}, ` +
          `which kubectl does not support. Add a kubectl ${range} in Settings (kubectl shelf).`,
        serverVersion: server.gitVersion,
      },
    };
  }

  /**
   * Copies a kubectl into the shelf folder after it ran there: `source` is the binary, or a folder
   * (an offline bundle) holding one as bin/kubectl or kubectl.
   */
  async add(source: string): Promise<KubectlShelf> {
    const shelfDir = this.options.shelfDir;
    if (shelfDir === undefined) throw new AppError('INVALID_INPUT', 'This build keeps no kubectl shelf folder, so none can be added.');
    const file = await this.binaryIn(resolve(source));
    await mkdir(shelfDir, { recursive: true, mode: 0o700 });
    const incoming = join(shelfDir, `.incoming-${randomUUID()}`);
    try {
      await mkdir(incoming, { mode: 0o700 });
      const copy = join(incoming, this.exe);
      await copyFile(file, copy);
      await chmod(copy, 0o755);
      // The copy is what terminals will run, so the copy is what is asked.
      const result = await this.ask(copy);
      if ('problem' in result) {
        throw new AppError(
          'INVALID_INPUT',
          `${file} is not a kubectl this computer can run: \`${basename(file)} version --client -o json\` ${result.problem}. Choose a kubectl built for ${this.platformText()}.`,
          { path: file },
        );
      }
      const target = join(shelfDir, folderName(result.version));
      const existing = await stat(target).catch(() => undefined);
      if (existing !== undefined) {
        throw new AppError('ALREADY_EXISTS', `kubectl ${result.version} is already on the shelf (${join(target, this.exe)}).`, {
          path: join(target, this.exe),
        });
      }
      await rename(incoming, target);
    } finally {
      await rm(incoming, { recursive: true, force: true });
    }
    return this.list();
  }

  /** Removes a kubectl the user added. */
  async remove(path: string): Promise<KubectlShelf> {
    const shelfDir = this.options.shelfDir;
    const folder = dirname(resolve(path));
    if (shelfDir === undefined || dirname(folder) !== resolve(shelfDir) || basename(path) !== this.exe) {
      throw new AppError('INVALID_INPUT', `${path} was not added to the shelf by you, so Nestlab does not remove it.`, { path });
    }
    await rm(folder, { recursive: true, force: true });
    this.probes.delete(path);
    return this.list();
  }

  private async binaryIn(source: string): Promise<string> {
    const info = await stat(source).catch((error: NodeJS.ErrnoException) => {
      throw new AppError('INVALID_INPUT', `${source} cannot be read (${error.code ?? error.message}). Check the path.`, { path: source });
    });
    if (info.isFile()) return source;
    if (info.isDirectory()) {
      for (const inside of [join(source, 'bin', this.exe), join(source, this.exe)]) {
        if (await isExecutable(inside)) return inside;
      }
      throw new AppError('INVALID_INPUT', `The folder ${source} holds no ${this.exe} (looked for bin/${this.exe} and ${this.exe}).`, {
        path: source,
      });
    }
    throw new AppError('INVALID_INPUT', `${source} is not a file.`, { path: source });
  }

  private async candidates(): Promise<{ path: string; source: KubectlSource }[]> {
    const found: { path: string; source: KubectlSource }[] = [];
    const { bundledDir, shelfDir } = this.options;
    if (bundledDir !== undefined) {
      for (const path of [join(bundledDir, this.exe), ...(await this.inSubfolders(bundledDir))]) {
        if (await isExecutable(path)) found.push({ path, source: 'bundled' });
      }
    }
    if (shelfDir !== undefined) {
      for (const path of await this.inSubfolders(shelfDir)) {
        if (!basename(dirname(path)).startsWith('.') && (await isExecutable(path))) found.push({ path, source: 'added' });
      }
    }
    // Only the first on PATH: a shell would never reach the others.
    for (const dir of (this.options.path ?? process.env.PATH ?? '').split(delimiter)) {
      const path = dir === '' ? undefined : join(dir, this.exe);
      if (path !== undefined && (await isExecutable(path))) {
        if (!found.some((entry) => entry.path === path)) found.push({ path, source: 'path' });
        break;
      }
    }
    return found;
  }

  private async inSubfolders(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isDirectory()).map((entry) => join(dir, entry.name, this.exe));
  }

  private async probe(path: string): Promise<Probe['result']> {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) return { problem: 'is gone' };
    const stamp = `${info.mtimeMs}:${info.size}`;
    const known = this.probes.get(path);
    if (known?.stamp === stamp) return known.result;
    const result = await this.ask(path);
    this.probes.set(path, { stamp, result });
    return result;
  }

  private async ask(path: string): Promise<Probe['result']> {
    let stdout: string;
    try {
      ({ stdout } = await this.options.run(path, ['version', '--client', '-o', 'json'], { timeoutMs: 10_000 }));
    } catch (error) {
      return { problem: `did not run: ${error instanceof Error ? error.message : String(error)}` };
    }
    try {
      return parseClient(stdout);
    } catch {
      return { problem: 'printed no kubectl client version' };
    }
  }

  private platformText(): string {
    return `${this.options.platform ?? process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`;
  }
}

/** The version, minor and platform of `kubectl version --client -o json`. */
export function parseClient(json: string): { version: string; minor: number; platform?: string } {
  const version = parseClientVersion(json);
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  if (match === null) throw new AppError('PROGRAM_FAILED', `kubectl reported the version ${version}, which has no minor version.`);
  const platform = (JSON.parse(json) as { clientVersion?: { platform?: unknown } }).clientVersion?.platform;
  return { version, minor: Number(match[2]), ...(typeof platform === 'string' ? { platform } : {}) };
}

/** Orders "v1.20.2" before "v1.20.10" before "v1.21.0" (numbers, not text). */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) => (/^v?(\d+)\.(\d+)\.?(\d+)?/.exec(version) ?? []).slice(1, 4).map((part) => Number(part ?? 0));
  const [left, right] = [parts(a), parts(b)];
  for (let index = 0; index < 3; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return a.localeCompare(b);
}

function majorOf(version: string): number {
  return Number(/^v?(\d+)/.exec(version)?.[1] ?? Number.NaN);
}

/** A version as a folder name: "v1.20.2" stays, anything odd becomes '_'. */
function folderName(version: string): string {
  const name = version.replace(/[^A-Za-z0-9._+-]/g, '_');
  return name.startsWith('.') || name.includes(sep) ? `_${name}` : name;
}

function statusOf(entry: KubectlShelfEntry): KubectlStatus {
  return { available: true, path: entry.path, source: entry.source, version: entry.version };
}

function sourceText(entry: KubectlShelfEntry): string {
  return entry.source === 'bundled' ? 'bundled' : entry.source === 'added' ? 'added in Settings' : `on PATH: ${entry.path}`;
}

function usingText(kubectl: KubectlStatus): string {
  return kubectl.available ? `; using kubectl ${kubectl.version}` : '; no kubectl is available';
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
