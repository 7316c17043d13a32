import { describe, expect, it } from 'vitest';
import type { HostSummary } from '../../../shared/contract';
import { buildSubmission, draftFromHost, emptyDraft, fieldErrorFrom, savedSecretHint, type HostDraft } from './host-form';

const filled = (patch: Partial<HostDraft> = {}): HostDraft => ({
  ...emptyDraft(),
  name: 'lab-1',
  address: '192.168.1.20',
  user: 'admin',
  ...patch,
});

const saved: HostSummary = {
  id: 'h1',
  name: 'lab-1',
  address: '192.168.1.20',
  port: 22,
  user: 'admin',
  os: 'linux',
  auth: { kind: 'password' },
  hasPassword: true,
  hasPassphrase: false,
  hasPrivateKey: false,
  hasSudoPassword: true,
  storagePath: '/var/lib/libvirt/images',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

describe('host form', () => {
  it('builds a HostInput from a valid draft, with defaults left to the service', () => {
    const { errors, input } = buildSubmission(filled({ authKind: 'password', password: 'pw', port: ' 2222 ' }));
    expect(errors).toEqual({});
    expect(input).toEqual({
      name: 'lab-1',
      address: '192.168.1.20',
      port: 2222,
      user: 'admin',
      os: 'linux',
      auth: { kind: 'password', password: 'pw' },
    });
  });

  it('names every bad field at once and keeps the draft untouched', () => {
    const draft = filled({ name: '', address: '-oProxyCommand=x', user: 'ad min', port: '70000', authKind: 'keyFile', keyPath: 'a\nb' });
    const copy = structuredClone(draft);
    const { errors, input } = buildSubmission(draft);
    expect(input).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(['address', 'keyPath', 'name', 'port', 'user']);
    expect(errors.address).toContain('-');
    expect(draft).toEqual(copy);
  });

  it('refuses an address that is neither a DNS name nor an IP address, and takes a port typed after it', () => {
    expect(buildSubmission(filled({ address: 'bad;rm -rf /' })).errors.address).toMatch(
      /^"bad;rm -rf \/" is not a host name or an IP address: it contains ";", a space, "\/"\. Use a DNS name/,
    );
    expect(buildSubmission(filled({ address: 'lab1.example.com:2222' })).input).toMatchObject({ address: 'lab1.example.com', port: 2222 });
    expect(buildSubmission(filled({ address: '[fd00::10]:2200' })).input).toMatchObject({ address: 'fd00::10', port: 2200 });
    expect(buildSubmission(filled({ address: '10.0.0.5:2222', port: '2200' })).errors.port).toBe(
      'The address says port 2222 and this field 2200: keep one.',
    );
  });

  it('requires a password or a private key when adding, and checks the pasted key looks like one', () => {
    expect(buildSubmission(filled({ authKind: 'password' })).errors.password).toBe('Enter the password.');
    expect(buildSubmission(filled({ authKind: 'pastedKey', privateKey: 'ssh-ed25519 AAAA public' })).errors.privateKey).toContain('BEGIN');
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n';
    expect(buildSubmission(filled({ authKind: 'pastedKey', privateKey: key, passphrase: 'pp' })).input?.auth).toEqual({
      kind: 'pastedKey',
      privateKey: key,
      passphrase: 'pp',
    });
  });

  it('never pre-fills secrets when editing, and says what is saved', () => {
    const draft = draftFromHost(saved);
    expect(draft).toMatchObject({ password: '', passphrase: '', privateKey: '', sudoPassword: '', storagePath: '' });
    expect(savedSecretHint(saved, 'password')).toContain('Saved');
    expect(savedSecretHint(saved, 'passphrase')).toBeUndefined();
    expect(savedSecretHint(undefined, 'password')).toBeUndefined();
  });

  it('sends only what changed on an edit; an empty secret keeps the saved one', () => {
    expect(buildSubmission(draftFromHost(saved), saved)).toEqual({ errors: {}, patch: {} });
    expect(buildSubmission({ ...draftFromHost(saved), port: '2200', storagePath: '/srv/vms' }, saved).patch).toEqual({
      port: 2200,
      storagePath: '/srv/vms',
    });
    expect(buildSubmission({ ...draftFromHost(saved), password: 'new' }, saved).patch).toEqual({
      auth: { kind: 'password', password: 'new' },
    });
    expect(buildSubmission({ ...draftFromHost(saved), removeSudoPassword: true }, saved).patch).toEqual({ sudoPassword: null });
    expect(buildSubmission({ ...draftFromHost(saved), authKind: 'agent' }, saved).patch).toEqual({ auth: { kind: 'agent' } });
    // Switching to a password without typing one is refused: there is no saved password of that kind to keep.
    const toPassword = { ...saved, auth: { kind: 'agent' as const }, hasPassword: false };
    expect(buildSubmission({ ...draftFromHost(toPassword), authKind: 'password' }, toPassword).errors.password).toBe('Enter the password.');
  });

  it('refuses a host as its own jump host and clears a jump host with null', () => {
    expect(buildSubmission({ ...draftFromHost(saved), jumpHostId: 'h1' }, saved).errors.jumpHostId).toBeDefined();
    const jumped = { ...saved, jumpHostId: 'h0' };
    expect(buildSubmission({ ...draftFromHost(jumped), jumpHostId: '' }, jumped).patch).toEqual({ jumpHostId: null });
  });

  it('places errors from the main process beside their field', () => {
    expect(fieldErrorFrom({ code: 'ALREADY_EXISTS', message: 'A host named "x" already exists.', details: { field: 'name' } })).toEqual({
      field: 'name',
      message: 'A host named "x" already exists.',
    });
    expect(
      fieldErrorFrom({
        code: 'INVALID_ARGUMENT',
        message: 'Invalid arguments',
        details: { issues: [{ path: ['0', 'auth', 'path'], message: 'Too small' }] },
      }),
    ).toEqual({ field: 'keyPath', message: 'Invalid: Too small.' });
    expect(fieldErrorFrom({ code: 'SECRET_STORAGE_UNAVAILABLE', message: 'No keyring.' })).toBeUndefined();
  });
});
