import { readFile, rename } from 'node:fs/promises';
import { AppError, type SerializedError } from '../../shared/errors';
import type { Settings } from '../../shared/contract';
import { defaultSettings, settingFieldSchemas } from '../../shared/schemas/settings';
import { writeFileAtomic } from '../platform/atomic-file';

export interface LoadedSettings {
  values: Settings;
  problem?: SerializedError;
}

/**
 * Reads settings.json field by field: a bad value costs only that field. A file that cannot be
 * used as it is (not JSON, not an object, or with bad fields) is kept aside as a backup before
 * anything overwrites it, and the problem is reported so the user can be told.
 */
export async function loadSettings(path: string, now: () => Date = () => new Date()): Promise<LoadedSettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { values: { ...defaultSettings } };
    throw new AppError('FILE_IO', `Could not read settings from ${path}: ${(error as Error).message}. Check the file's permissions.`, {
      path,
    });
  }

  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const backupPath = await keepAside(path, now());
    return {
      values: { ...defaultSettings },
      problem: {
        code: 'FILE_CORRUPT',
        message: `The settings file was not valid JSON, so defaults were loaded. The old file was kept as ${backupPath}.`,
        details: { path, backupPath },
      },
    };
  }

  const values: Settings = { ...defaultSettings };
  const invalidFields: string[] = [];
  const record = raw as Record<string, unknown>;
  for (const key of Object.keys(settingFieldSchemas) as (keyof Settings)[]) {
    if (!Object.hasOwn(record, key)) continue;
    const parsed = settingFieldSchemas[key].safeParse(record[key]);
    if (parsed.success) (values as unknown as Record<string, unknown>)[key] = parsed.data;
    else invalidFields.push(key);
  }
  if (invalidFields.length === 0) return { values };

  const backupPath = await keepAside(path, now());
  return {
    values,
    problem: {
      code: 'FILE_CORRUPT',
      message: `Some settings had invalid values (${invalidFields.join(', ')}) and were reset to defaults; the rest were kept. The old file was kept as ${backupPath}.`,
      details: { path, backupPath, invalidFields },
    },
  };
}

export async function saveSettings(path: string, values: Settings): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600 });
}

async function keepAside(path: string, when: Date): Promise<string> {
  const stamp = when.toISOString().replace(/[:.]/g, '-');
  const backupPath = `${path}.corrupt-${stamp}`;
  await rename(path, backupPath);
  return backupPath;
}
