import { describe, expect, it } from 'vitest';
import { AppError } from './errors';

describe('AppError', () => {
  it('survives the wire with code, message and details', () => {
    const sent = new AppError('HOST_KEY_CHANGED', 'The key changed.', { expected: 'SHA256:a', presented: 'SHA256:b' });
    const rebuilt = AppError.fromJSON(JSON.parse(JSON.stringify(sent)));
    expect(rebuilt).toBeInstanceOf(AppError);
    expect(rebuilt.code).toBe('HOST_KEY_CHANGED');
    expect(rebuilt.message).toBe('The key changed.');
    expect(rebuilt.details).toEqual({ expected: 'SHA256:a', presented: 'SHA256:b' });
  });

  it('turns unknown shapes and unknown codes into INTERNAL instead of throwing', () => {
    expect(AppError.fromJSON('boom').code).toBe('INTERNAL');
    expect(AppError.fromJSON({ code: 'NOT_A_CODE', message: 'x' }).code).toBe('INTERNAL');
    expect(AppError.fromJSON(null).code).toBe('INTERNAL');
  });

  it('wraps plain errors as INTERNAL and keeps AppErrors as they are', () => {
    expect(AppError.from(new Error('disk on fire')).toJSON()).toEqual({ code: 'INTERNAL', message: 'disk on fire' });
    const original = new AppError('TIMEOUT', 'slow');
    expect(AppError.from(original)).toBe(original);
  });
});
