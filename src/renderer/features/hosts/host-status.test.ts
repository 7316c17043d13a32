import { describe, expect, it } from 'vitest';
import type { HostSummary } from '../../../shared/contract';
import { checkStatusLabel, hostStatus, probeFraction } from './host-status';

const host = { id: 'h1', name: 'lab', hostKey: undefined } as unknown as HostSummary;
const accepted = { ...host, hostKey: { keyType: 'ssh-ed25519', fingerprint: 'SHA256:x', acceptedAt: '' } } as HostSummary;

describe('host status in words', () => {
  it('says whether the key is accepted before any connection', () => {
    expect(hostStatus(host, undefined, undefined).label).toBe('Host key not accepted yet');
    expect(hostStatus(accepted, undefined, undefined).label).toBe('Not connected');
  });

  it('prefers the test the user just ran, then the live connection', () => {
    expect(hostStatus(accepted, { status: 'testing' }, { hostId: 'h1', state: 'ready' }).label).toBe('Testing connection…');
    const changed = { status: 'done' as const, result: { ok: false as const, error: { code: 'HOST_KEY_CHANGED' as const, message: '' } } };
    expect(hostStatus(accepted, changed, undefined)).toMatchObject({ label: 'Refused: host key changed', tone: 'bad', icon: 'alert' });
    expect(hostStatus(accepted, undefined, { hostId: 'h1', state: 'reconnecting', retryInMs: 1500 }).label).toBe('Reconnecting in 2 s');
    expect(hostStatus(accepted, undefined, { hostId: 'h1', state: 'ready' })).toMatchObject({ label: 'Connected', icon: 'check' });
  });

  it('labels every check status with text and an icon, and moves the progress forward', () => {
    expect(['pass', 'warn', 'fail'].map((s) => checkStatusLabel(s as 'pass').label)).toEqual(['Pass', 'Warning', 'Fail']);
    expect(probeFraction('connecting')).toBeLessThan(probeFraction('probing'));
  });
});
