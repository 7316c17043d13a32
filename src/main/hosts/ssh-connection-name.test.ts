import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { SshConnection } from './ssh-connection';

/** What getaddrinfo gives Node for a name nobody can resolve. */
const notFound = (host: string) => Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));

describe('SshConnection and a host name that does not resolve', () => {
  it('says the name could not be resolved, before any credential problem', async () => {
    let credentialsRead = false;
    const connection = new SshConnection({
      hostId: 'h1',
      endpoint: { host: 'lab-gone.example.invalid', port: 22, username: 'lab' },
      lookup: notFound,
      expectedHostKey: () => Promise.resolve(undefined),
      credentials: () => {
        credentialsRead = true;
        return Promise.reject(new AppError('SSH_AUTH_FAILED', 'No ssh-agent is running for Nestlab (SSH_AUTH_SOCK is not set).'));
      },
      reconnect: false,
    });
    const error = await connection.connect().then(
      () => undefined,
      (failure: unknown) => AppError.from(failure),
    );
    expect(error?.code).toBe('UNREACHABLE');
    expect(error?.message).toBe(
      'The host name "lab-gone.example.invalid" could not be resolved (ENOTFOUND), so nothing was sent. Check its spelling, your DNS server or /etc/hosts, or use the host\'s IP address.',
    );
    expect(error?.details).toMatchObject({ reason: 'unresolved-name', cause: 'ENOTFOUND' });
    expect(credentialsRead).toBe(false);
    connection.close();
  });
});
