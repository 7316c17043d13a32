import type { SecretStore } from './secret-store';

/**
 * Secrets kept only in this process's memory: the browser-mode default, where no OS keyring is
 * reachable and the user set no passphrase. Gone when the server stops.
 */
export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory';
  readonly persistent = false;
  private readonly values = new Map<string, string>();

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(key));
  }

  has(key: string): Promise<boolean> {
    return Promise.resolve(this.values.has(key));
  }

  set(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.values.delete(key);
    return Promise.resolve();
  }

  deletePrefix(prefix: string): Promise<void> {
    for (const key of [...this.values.keys()]) if (key.startsWith(prefix)) this.values.delete(key);
    return Promise.resolve();
  }
}
