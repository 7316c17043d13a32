import { describe, expect, it } from 'vitest';
import { argumentSchemas } from '../schemas';
import { contract, isDomainName, isEventName, isMethodName } from '.';

describe('contract', () => {
  it('has an argument schema for every method and no schema for anything else', () => {
    for (const [domain, names] of Object.entries(contract)) {
      expect(Object.keys(argumentSchemas[domain as keyof typeof argumentSchemas]).sort()).toEqual([...names.methods].sort());
    }
  });

  it('names events onDidX and methods otherwise', () => {
    for (const names of Object.values(contract)) {
      for (const event of names.events) expect(event).toMatch(/^onDid[A-Z]/);
      for (const method of names.methods) expect(method).not.toMatch(/^onDid/);
    }
  });

  it('recognizes only its own names, not prototype properties', () => {
    expect(isDomainName('system')).toBe(true);
    expect(isDomainName('constructor')).toBe(false);
    expect(isDomainName('__proto__')).toBe(false);
    expect(isMethodName('system', 'info')).toBe(true);
    expect(isMethodName('system', 'toString')).toBe(false);
    expect(isEventName('settings', 'onDidChange')).toBe(true);
    expect(isEventName('settings', 'get')).toBe(false);
  });
});
