import type { Readable } from 'node:stream';
import type { PresentedHostKey } from '../../shared/contract/hosts';
import type { ConnectConfig } from 'ssh2';
import { sshFingerprint, sshKeyType } from './host-key';
import { createSshClient } from './ssh-client-factory';
import type { SshClientFactory } from './ssh-client-factory';
import { connectError } from './ssh-errors';
import type { SshErrorContext } from './ssh-errors';

export type { PresentedHostKey };

/**
 * Learn which host key a host presents without trusting it: the handshake stops at host-key
 * verification (our verifier refuses), so no credential is offered and nothing runs.
 */
export async function scanHostKey(
  context: SshErrorContext,
  options: { createClient?: SshClientFactory; readyTimeoutMs?: number; sock?: Readable } = {},
): Promise<PresentedHostKey> {
  const client = (options.createClient ?? createSshClient)();
  let presented: PresentedHostKey | undefined;
  const config: ConnectConfig = {
    host: context.host,
    port: context.port,
    username: context.username,
    readyTimeout: options.readyTimeoutMs ?? 15_000,
    hostVerifier: (key: Buffer): boolean => {
      presented = { keyType: sshKeyType(key), fingerprint: sshFingerprint(key) };
      return false;
    },
  };
  if (options.sock !== undefined) config.sock = options.sock;
  return new Promise<PresentedHostKey>((resolve, reject) => {
    let done = false;
    const settle = (error?: unknown): void => {
      if (done) return;
      done = true;
      client.on('error', () => undefined);
      client.end();
      if (presented !== undefined) resolve(presented);
      else reject(connectError(error ?? new Error('the connection closed before the host presented a key'), context));
    };
    client.once('error', settle);
    client.once('close', () => settle());
    // Unreachable: the verifier refuses every key. Kept so a change in ssh2 fails safe.
    client.once('ready', () => settle());
    client.connect(config);
  });
}
