import { describe, expect, it } from 'vitest';
import { connectError, forwardOutError, hostKeyError, privateKeyError } from './ssh-errors';

const context = { hostId: 'h', host: '10.0.0.5', port: 22, username: 'lab' };
const ssh2Error = (message: string, fields: { level?: string; code?: string }): Error => Object.assign(new Error(message), fields);

describe('connectError', () => {
  it.each([
    [ssh2Error('All configured authentication methods failed', { level: 'client-authentication' }), 'SSH_AUTH_FAILED'],
    [ssh2Error('connect ECONNREFUSED 10.0.0.5:22', { level: 'client-socket', code: 'ECONNREFUSED' }), 'UNREACHABLE'],
    [ssh2Error('getaddrinfo ENOTFOUND lab', { level: 'client-dns', code: 'ENOTFOUND' }), 'UNREACHABLE'],
    [ssh2Error('Timed out while waiting for handshake', { level: 'client-timeout' }), 'SSH_HANDSHAKE_FAILED'],
    [ssh2Error('Connection lost before handshake', { level: 'protocol' }), 'SSH_HANDSHAKE_FAILED'],
  ])('maps %s to %s', (error, code) => {
    expect(connectError(error, context).code).toBe(code);
  });

  it("says a private key does not open by its code and reason, whatever ssh2's message", () => {
    expect(connectError(new Error('Cannot parse privateKey: Encrypted private OpenSSH key detected'), context).code).toBe(
      'SSH_HANDSHAKE_FAILED',
    );
    expect(privateKeyError(context).toJSON()).toMatchObject({
      code: 'SSH_AUTH_FAILED',
      details: { reason: 'private-key', username: 'lab' },
    });
  });

  it('prefers the host-key rejection over the handshake error it causes', () => {
    const error = connectError(ssh2Error('Host denied (verification failed)', { level: 'handshake' }), context, {
      kind: 'changed',
      keyType: 'ssh-ed25519',
      expected: 'SHA256:old',
      presented: 'SHA256:new',
    });
    expect(error.toJSON()).toMatchObject({ code: 'HOST_KEY_CHANGED', details: { expected: 'SHA256:old', presented: 'SHA256:new' } });
  });

  it('says a host name did not resolve instead of blaming the connection', () => {
    const error = connectError(ssh2Error('getaddrinfo EAI_AGAIN lab.example.test', { level: 'client-socket', code: 'EAI_AGAIN' }), {
      ...context,
      host: 'lab.example.test',
    });
    expect(error.message).toMatch(/^The host name "lab\.example\.test" could not be resolved \(EAI_AGAIN\), so nothing was sent\./);
  });

  it('names the public key file of the key type shown', () => {
    expect(hostKeyError({ kind: 'unknown', keyType: 'ssh-rsa', fingerprint: 'SHA256:abc' }, context).message).toContain(
      'ssh-keygen -lf /etc/ssh/ssh_host_rsa_key.pub',
    );
    expect(hostKeyError({ kind: 'unknown', keyType: 'ecdsa-sha2-nistp256', fingerprint: 'SHA256:abc' }, context).message).toContain(
      '/etc/ssh/ssh_host_ecdsa_key.pub',
    );
  });

  it('names the key type and fingerprint on first contact', () => {
    const error = hostKeyError({ kind: 'unknown', keyType: 'ssh-rsa', fingerprint: 'SHA256:abc' }, context);
    expect(error.details).toEqual({ hostId: 'h', keyType: 'ssh-rsa', fingerprint: 'SHA256:abc' });
    expect(error.message).toContain('SHA256:abc');
  });
});

describe('forwardOutError', () => {
  const channelOpenFailure = (description: string, reason: number) =>
    Object.assign(new Error(`(SSH) Channel open failure: ${description}`), { reason });

  it('names the sshd setting when the host forbids TCP forwarding (reason 1)', () => {
    const error = forwardOutError(channelOpenFailure('administratively prohibited: open failed', 1), context, '192.0.2.7:80');
    expect(error.code).toBe('FORBIDDEN');
    expect(error.message).toBe(
      '10.0.0.5 does not allow TCP forwarding, so it cannot open a connection to 192.0.2.7:80. Set "AllowTcpForwarding yes" in its sshd_config (and no "DisableForwarding yes"), then reload sshd.',
    );
  });

  it('names the target when the host could not connect to it (reason 2)', () => {
    const error = forwardOutError(channelOpenFailure('Connection refused', 2), context, '192.0.2.7:80');
    expect(error.toJSON()).toMatchObject({
      code: 'UNREACHABLE',
      message:
        '10.0.0.5 could not open a TCP connection to 192.0.2.7:80 (Connection refused). Check that something listens on 192.0.2.7:80 and that 10.0.0.5 reaches that network.',
      details: { hostId: 'h', target: '192.0.2.7:80' },
    });
  });
});
