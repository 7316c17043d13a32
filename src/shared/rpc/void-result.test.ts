import { describe, expect, it } from 'vitest';
import { Dispatcher } from './dispatcher';
import { connectInMemory } from './in-memory';
import { createTestServices } from '../../../tests/doubles/test-services';
import { unwrapResult } from './client';

describe('methods that resolve to nothing', () => {
  it('resolve to undefined although JSON drops the undefined value', async () => {
    const { api } = connectInMemory(new Dispatcher(createTestServices()));
    await expect(api.terminals.close('no-such-terminal')).resolves.toBeUndefined();
  });

  it('still refuses answers without ok', () => {
    expect(() => unwrapResult({ value: 1 })).toThrow(/unknown shape/);
  });
});
