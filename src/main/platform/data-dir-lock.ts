/**
 * One Nestlab per data folder. The desktop app and browser mode both keep their stores (hosts,
 * clusters, settings, secrets) in the same folder and cache them in memory, so a second instance
 * would overwrite the first one's changes. The lock is a file naming its owner; a lock whose
 * process has died (a crash, a kill -9) is taken over.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { unlinkSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const lockFileName = 'nestlab.lock';

/** Who holds a data folder: what the lock file says. */
export interface DataDirOwner {
  pid: number;
  /** 'desktop app' or 'browser mode'. */
  app: string;
  hostname: string;
  startedAt: string;
}

/** A second instance asked for a data folder another running Nestlab holds. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirOwner,
  ) {
    const where = owner.hostname === hostname() ? `pid ${owner.pid}` : `pid ${owner.pid} on ${owner.hostname}`;
    super(
      `The data folder ${dataDir} is in use by another Nestlab (${owner.app}, ${where}, started ${owner.startedAt}). ` +
        `Two instances on one folder would overwrite each other's hosts, clusters and settings. ` +
        `Stop the other one, or start this one with --data-dir <another folder>. ` +
        `If no Nestlab is running there, remove ${join(dataDir, lockFileName)}.`,
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still this process's. Idempotent. */
  release(): Promise<void>;
}

/** True while the process exists (EPERM: it exists but belongs to another user). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseOwner(text: string): DataDirOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<DataDirOwner>;
    if (!Number.isInteger(value.pid) || typeof value.app !== 'string' || typeof value.hostname !== 'string') return undefined;
    return { pid: value.pid!, app: value.app, hostname: value.hostname, startedAt: String(value.startedAt ?? 'at an unknown time') };
  } catch {
    return undefined;
  }
}

/**
 * Whether a lock's owner may still run. A lock from another machine (a shared folder) cannot be
 * checked and counts as held; one with this process's own pid was left by an earlier process
 * that had the same pid (containers start at the same pid), since this one takes the lock once.
 */
function ownerIsRunning(owner: DataDirOwner): boolean {
  if (owner.hostname !== hostname()) return true;
  if (owner.pid === process.pid) return false;
  return processExists(owner.pid);
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Takes the data folder's lock for `app` ('desktop app' or 'browser mode'), creating the folder
 * if needed. Throws DataDirInUseError when a running Nestlab holds it. The lock file appears
 * whole (written aside, then hard-linked into place, which fails if one exists), so a reader
 * never sees a half-written owner.
 */
export async function lockDataDir(dataDir: string, app: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, lockFileName);
  const owner: DataDirOwner = { pid: process.pid, app, hostname: hostname(), startedAt: new Date().toISOString() };
  const text = `${JSON.stringify(owner)}\n`;
  const staging = `${path}.${process.pid}.${randomBytes(6).toString('hex')}`;
  await writeFile(staging, text, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await link(staging, path);
        return heldLock(path, text);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existingText = await readText(path);
      if (existingText === undefined) continue;
      const existing = parseOwner(existingText);
      if (existing && ownerIsRunning(existing)) throw new DataDirInUseError(dataDir, existing);
      await takeAway(path, existingText);
    }
    throw new Error(`Could not take the lock ${path}: other processes kept replacing it. Start Nestlab again.`);
  } finally {
    await rm(staging, { force: true });
  }
}

/**
 * Removes a stale lock. It is renamed aside first (atomic), then checked: if another process
 * replaced the stale lock with its own live one in the meantime, that one is put back.
 */
async function takeAway(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    if ((await readText(aside)) !== staleText) await link(aside, path).catch(() => undefined);
  } finally {
    await rm(aside, { force: true });
  }
}

function heldLock(path: string, text: string): DataDirLock {
  let held = true;
  // Also on a plain process.exit(): the next start would take a dead process's lock over
  // anyway, but a clean exit should leave nothing behind.
  const releaseNow = () => {
    if (!held) return;
    held = false;
    process.off('exit', releaseNow);
    try {
      if (readFileSync(path, 'utf8') === text) unlinkSync(path);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', releaseNow);
  return {
    path,
    release: () => {
      releaseNow();
      return Promise.resolve();
    },
  };
}
