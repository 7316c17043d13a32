import { describe, expect, it } from 'vitest';
import { validateHostInput } from './host-input';
import type { HostInput } from './host-types';

const base: HostInput = { name: 'lab', address: 'lab.example.test', user: 'lab', auth: { kind: 'agent' } };

describe('validateHostInput', () => {
  it('applies defaults', () => {
    expect(validateHostInput(base)).toEqual({ ...base, port: 22, os: 'linux', storagePath: '/var/lib/libvirt/images' });
  });

  it.each([
    [{ port: 0 }, 'port'],
    [{ port: 70000 }, 'port'],
    [{ address: '-oProxyCommand=x' }, 'address'],
    [{ address: 'a\nb' }, 'address'],
    [{ user: 'root\u0000' }, 'user'],
    [{ storagePath: '/x\r' }, 'storagePath'],
    [{ auth: { kind: 'pastedKey', privateKey: 'not a key' } }, 'privateKey'],
    [{ auth: { kind: 'password', password: '' } }, 'password'],
    [{ auth: { kind: 'keyFile', path: '--help' } }, 'keyPath'],
  ] as const)('refuses %j naming %s', (patch, field) => {
    expect(() => validateHostInput({ ...base, ...patch })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: expect.objectContaining({ field }) }),
    );
  });

  it('never echoes a secret in its errors', () => {
    const secret = 'CANARY-validate-8e1f';
    try {
      validateHostInput({ ...base, auth: { kind: 'pastedKey', privateKey: secret } });
    } catch (error) {
      expect(JSON.stringify(error) + String(error)).not.toContain(secret);
      return;
    }
    throw new Error('expected a refusal');
  });

  it('keeps shell metacharacters literally', () => {
    const name = `lab; $(rm -rf /) \`id\` 'q' "d"`;
    expect(validateHostInput({ ...base, name, storagePath: "/srv/$(x)/it's" })).toMatchObject({ name, storagePath: "/srv/$(x)/it's" });
  });
});
