/**
 * The editable text fields of the settings form: what the user typed (kept as typed, never
 * thrown away) and its validation against the same schemas the main process uses.
 */
import type { Settings } from '../../../shared/contract';
import { settingFieldSchemas } from '../../../shared/schemas/settings';

export type FormField = 'terminalFontSize' | 'terminalScrollback' | 'registryMirror';
export type FormDraft = Record<FormField, string>;

export function draftFrom(settings: Settings): FormDraft {
  return {
    terminalFontSize: String(settings.terminalFontSize),
    terminalScrollback: String(settings.terminalScrollback),
    registryMirror: settings.registryMirror,
  };
}

export interface ParsedDraft {
  patch: Partial<Settings>;
  errors: Partial<Record<FormField, string>>;
}

export function parseDraft(draft: FormDraft): ParsedDraft {
  const patch: Partial<Settings> = {};
  const errors: Partial<Record<FormField, string>> = {};
  for (const field of ['terminalFontSize', 'terminalScrollback'] as const) {
    const text = draft[field].trim();
    const result = settingFieldSchemas[field].safeParse(text === '' ? Number.NaN : Number(text));
    if (result.success) patch[field] = result.data;
    else
      errors[field] =
        text === '' || Number.isNaN(Number(text)) ? 'Enter a whole number.' : `Must be ${result.error.issues[0]?.message ?? 'valid'}.`;
  }
  const mirror = settingFieldSchemas.registryMirror.safeParse(draft.registryMirror);
  if (mirror.success) patch.registryMirror = mirror.data;
  else errors.registryMirror = `Must be ${mirror.error.issues[0]?.message ?? 'valid'}.`;
  return { patch, errors };
}
