/**
 * Where passwords and key passphrases live. Values never leave the main process: services read
 * them just before use (an SSH connect, a sudo call) and report only `hasPassword: true` outward.
 * Implementations never put a value in an error message, error details or a log line.
 */
export interface SecretStore {
  /** Which implementation this is, for the settings view. */
  readonly kind: 'os-encryption' | 'passphrase' | 'memory';
  /** Whether secrets survive a restart of the app / server. */
  readonly persistent: boolean;
  get(key: string): Promise<string | undefined>;
  has(key: string): Promise<boolean>;
  /** @throws AppError SECRET_STORAGE_UNAVAILABLE when the store cannot keep secrets safely. */
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Delete every key starting with `prefix` (e.g. everything of one host). */
  deletePrefix(prefix: string): Promise<void>;
}

/** The key under which a host's secret of one kind is stored. */
export function hostSecretKey(hostId: string, kind: 'password' | 'passphrase' | 'privateKey' | 'sudoPassword'): string {
  return `host/${hostId}/${kind}`;
}
