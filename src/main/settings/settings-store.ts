import { z } from 'zod';
import { AppError, type SerializedError } from '../../shared/errors';
import type { Settings } from '../../shared/contract';
import { defaultSettings, settingFieldSchemas } from '../../shared/schemas/settings';
import { keepAside, readJsonFile, writeJsonFile } from '../platform/json-file';

/** Any JSON object: its fields are checked one by one. */
const objectSchema = z.record(z.string(), z.unknown());

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
  const read = await readJsonFile(path, objectSchema);
  if (read.state === 'missing') return { values: { ...defaultSettings } };
  if (read.state === 'unreadable') {
    throw new AppError('FILE_IO', `Could not read settings from ${path}: ${read.error.message}. Check the file's permissions.`, {
      path,
    });
  }
  if (read.state === 'corrupt') {
    const backupPath = await keepAside(path, 'corrupt', now());
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
  const record = read.value;
  for (const key of Object.keys(settingFieldSchemas) as (keyof Settings)[]) {
    if (!Object.hasOwn(record, key)) continue;
    const parsed = settingFieldSchemas[key].safeParse(record[key]);
    if (parsed.success) (values as unknown as Record<string, unknown>)[key] = parsed.data;
    else invalidFields.push(key);
  }
  if (invalidFields.length === 0) return { values };

  const backupPath = await keepAside(path, 'corrupt', now());
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
  await writeJsonFile(path, values);
}
