import type { SecretStorageInfo } from '../../shared/contract/hosts';
import { OsEncryptionSecretStore } from '../secrets/os-encryption-secret-store';
import type { SecretStore } from '../secrets/secret-store';

/** The environment variable that opts in to safeStorage's 'basic_text' backend (see README, Secrets). */
export const allowWeakSecretStorageVariable = 'NESTLAB_ALLOW_WEAK_SECRET_STORAGE';

/** Where secrets go and what the user should know about it, in words, for the hosts view's banner. */
export function describeSecretStorage(store: SecretStore): SecretStorageInfo {
  if (store instanceof OsEncryptionSecretStore) {
    const status = store.status();
    const info: SecretStorageInfo = {
      backend: 'os-encryption',
      osBackend: status.backend,
      persistent: true,
      canStore: status.available,
    };
    if (status.needsOptIn && !status.available) {
      info.warning =
        'No OS keyring is available (Linux without gnome-keyring or KWallet), so passwords and passphrases are not saved. ' +
        `Use ssh-agent or a key file without a passphrase, install and unlock a keyring, or start Nestlab with ${allowWeakSecretStorageVariable}=1 to save them with weak protection.`;
    } else if (status.needsOptIn) {
      info.warning = `Secrets are saved with weak protection (no OS keyring; you allowed this with ${allowWeakSecretStorageVariable}=1).`;
    } else if (!status.available) {
      info.warning = 'OS encryption is not available, so passwords and passphrases are not saved. Use ssh-agent or a key file.';
    }
    return info;
  }
  if (store.kind === 'passphrase') return { backend: 'passphrase', persistent: true, canStore: true };
  return {
    backend: store.kind,
    persistent: store.persistent,
    canStore: true,
    ...(store.persistent
      ? {}
      : {
          warning:
            'Browser mode: passwords and passphrases are kept in memory until the server stops. Set NESTLAB_SECRETS_PASSPHRASE_FILE to keep them encrypted on disk.',
        }),
  };
}
