import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../shared/schemas/settings';
import { draftFrom, parseDraft } from './settings-form';

describe('settings form', () => {
  it('turns a valid draft into a patch', () => {
    expect(parseDraft({ terminalFontSize: ' 14 ', terminalScrollback: '2000', registryMirror: 'mirror.lab:5000/library' })).toEqual({
      patch: { terminalFontSize: 14, terminalScrollback: 2000, registryMirror: 'mirror.lab:5000/library' },
      errors: {},
    });
  });

  it('explains each invalid field and leaves it out of the patch', () => {
    const { patch, errors } = parseDraft({ terminalFontSize: 'big', terminalScrollback: '5', registryMirror: 'https://mirror' });
    expect(patch).toEqual({});
    expect(errors.terminalFontSize).toBe('Enter a whole number.');
    expect(errors.terminalScrollback).toBe('Must be at least 100.');
    expect(errors.registryMirror).toContain('without http://');
  });

  it('round-trips stored settings', () => {
    expect(parseDraft(draftFrom(defaultSettings)).errors).toEqual({});
  });
});
