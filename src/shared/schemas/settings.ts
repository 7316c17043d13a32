import { z } from 'zod';
import type { Settings } from '../contract/settings';

export const defaultSettings: Settings = {
  theme: 'system',
  terminalFontSize: 13,
  terminalScrollback: 5000,
  registryMirror: '',
};

/** host[:port][/path], as a container image prefix; no scheme, no spaces. */
const registryMirrorPattern = /^$|^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9._/-]+)?$/;

/** One schema per setting, so a bad value in one field does not cost the others. */
export const settingFieldSchemas = {
  theme: z.enum(['system', 'light', 'dark']),
  terminalFontSize: z.number().int().min(8, 'at least 8').max(32, 'at most 32'),
  terminalScrollback: z.number().int().min(100, 'at least 100').max(100_000, 'at most 100000'),
  registryMirror: z.string().trim().max(253).regex(registryMirrorPattern, 'a registry host with optional :port and /path, without http://'),
} satisfies { [K in keyof Settings]: z.ZodType<Settings[K]> };

export const settingsPatchSchema = z.strictObject(settingFieldSchemas).partial();
