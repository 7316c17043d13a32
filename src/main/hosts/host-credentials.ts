import { readFile } from 'node:fs/promises';
import { AppError } from '../../shared/errors';
import type { SecretStore } from '../secrets/secret-store';
import { hostSecretKey } from '../secrets/secret-store';
import type { HostRecord } from './host-inventory-store';
import type { HostAuthInput } from './host-types';
import type { SshCredentials } from './ssh-connection';

/**
 * Credentials for one connect, read from the secret store (or the key file, or the agent socket)
 * just before use, so the service holds no secret between connections.
 */
export async function resolveCredentials(
  record: HostRecord,
  secrets: SecretStore,
  agentSocket: string | undefined,
): Promise<SshCredentials> {
  const passphrase = await secrets.get(hostSecretKey(record.id, 'passphrase'));
  const missing = (what: string): AppError =>
    new AppError(
      'SSH_AUTH_FAILED',
      `No ${what} is saved for ${record.name} (secrets kept in memory are gone after a restart). Enter it again.`,
      {
        hostId: record.id,
        reason: 'secret-missing',
      },
    );
  switch (record.auth.kind) {
    case 'agent': {
      const socketPath = agentSocket ?? process.env.SSH_AUTH_SOCK;
      if (socketPath === undefined || socketPath === '') {
        throw new AppError(
          'SSH_AUTH_FAILED',
          'No ssh-agent is running for Nestlab (SSH_AUTH_SOCK is not set). Start ssh-agent and add your key, or choose a key file.',
          {
            hostId: record.id,
            reason: 'no-agent',
          },
        );
      }
      return { kind: 'agent', socketPath };
    }
    case 'keyFile': {
      const path = record.auth.keyPath ?? '';
      const privateKey = await readFile(path, 'utf8').catch(() => {
        throw new AppError('FILE_IO', `Cannot read the key file ${path}. Check that it exists and Nestlab may read it.`, {
          path,
          hostId: record.id,
        });
      });
      return passphrase === undefined ? { kind: 'privateKey', privateKey } : { kind: 'privateKey', privateKey, passphrase };
    }
    case 'pastedKey': {
      const privateKey = await secrets.get(hostSecretKey(record.id, 'privateKey'));
      if (privateKey === undefined) throw missing('private key');
      return passphrase === undefined ? { kind: 'privateKey', privateKey } : { kind: 'privateKey', privateKey, passphrase };
    }
    case 'password': {
      const password = await secrets.get(hostSecretKey(record.id, 'password'));
      if (password === undefined) throw missing('password');
      return { kind: 'password', password };
    }
  }
}

/** Save the secrets of a sign-in method (and the sudo password) under the host's keys. */
export async function saveHostSecrets(
  secrets: SecretStore,
  hostId: string,
  auth: HostAuthInput,
  sudoPassword: string | undefined,
): Promise<void> {
  if (auth.kind === 'password') await secrets.set(hostSecretKey(hostId, 'password'), auth.password);
  if (auth.kind === 'pastedKey') await secrets.set(hostSecretKey(hostId, 'privateKey'), auth.privateKey);
  if ((auth.kind === 'pastedKey' || auth.kind === 'keyFile') && auth.passphrase !== undefined) {
    await secrets.set(hostSecretKey(hostId, 'passphrase'), auth.passphrase);
  }
  if (sudoPassword !== undefined) await secrets.set(hostSecretKey(hostId, 'sudoPassword'), sudoPassword);
}
