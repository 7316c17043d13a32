/**
 * The one way Nestlab keeps a JSON file (settings, imported clusters, labs, the host inventory,
 * accepted host keys, saved secrets): read it whole and check it against its schema, write it
 * atomically (atomic-file.ts) with owner-only permissions, and keep an unusable file aside
 * instead of overwriting it, so it can be recovered by hand. What a missing or corrupt file
 * means is each store's own decision (start empty, fail closed, keep the good fields).
 */
import { readFile, rename } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file';

/** What reading a JSON file found. */
export type JsonFileRead<T> =
  | { state: 'ok'; value: T }
  | { state: 'missing' }
  /** Not JSON, or not of the schema. */
  | { state: 'corrupt' }
  /** It exists but could not be read (permissions, a folder in its place). */
  | { state: 'unreadable'; error: NodeJS.ErrnoException };

/** A zod schema, or anything that checks a value the same way. */
export interface JsonSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/** Reads `path` and checks it against `schema`. Never throws. */
export async function readJsonFile<T>(path: string, schema: JsonSchema<T>): Promise<JsonFileRead<T>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    return failure.code === 'ENOENT' ? { state: 'missing' } : { state: 'unreadable', error: failure };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: 'corrupt' };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { state: 'ok', value: parsed.data } : { state: 'corrupt' };
}

/** Writes `value` as indented JSON, whole or not at all, readable by the owner only. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

/** The name a file is kept aside as: `<path>.<label>-<time>` (2026-11-23T10-00-00-000Z). */
export function asidePath(path: string, label: 'corrupt' | 'replaced', when: Date = new Date()): string {
  return `${path}.${label}-${when.toISOString().replace(/[:.]/g, '-')}`;
}

/** Moves the file aside (see {@link asidePath}) and answers where; one that cannot be moved (rare: it was just read) stays. */
export async function keepAside(path: string, label: 'corrupt' | 'replaced', when: Date = new Date()): Promise<string> {
  const aside = asidePath(path, label, when);
  await rename(path, aside).catch(() => undefined);
  return aside;
}
