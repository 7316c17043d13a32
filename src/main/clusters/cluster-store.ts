/**
 * Imported kubeconfig entries, kept by Nestlab so a lab keeps working when the original file moves.
 * `clusters.json` (mode 0600, atomic writes) holds everything that is not a secret; tokens, client
 * keys, passwords and auth-provider configs live in the secret store (encrypted, or in memory).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { keepAside, readJsonFile, writeJsonFile } from '../platform/json-file';
import { SerialQueue } from '../platform/serial-queue';
import type { SecretStore } from '../secrets/secret-store';
import type { Namespace, Sourced } from './import-plan';
import { endpointOf } from './credential-binding';
import { isShownEnv } from './credential-plugins';
import { sameEntry } from './import-plan';
import type { ContextEntry, UserEntry } from './kubeconfig-model';
import { dict, dictFrom, dictOf } from './name-dict';

const secretFields = ['token', 'clientKeyData', 'password', 'authProviderConfig', 'execEnv'] as const;
type SecretField = (typeof secretFields)[number];

/** auth-provider config keys that are not secret and describe its command. */
const publicAuthProviderKeys = ['cmd-path', 'cmd-args', 'token-key', 'expiry-key'];

const clusterSchema = z.object({
  server: z.string(),
  caData: z.string().optional(),
  caFile: z.string().optional(),
  insecureSkipTlsVerify: z.boolean(),
  tlsServerName: z.string().optional(),
  proxyUrl: z.string().optional(),
});
const publicUserSchema = z.object({
  tokenFile: z.string().optional(),
  clientCertData: z.string().optional(),
  clientCertFile: z.string().optional(),
  clientKeyFile: z.string().optional(),
  username: z.string().optional(),
  exec: z
    .object({
      command: z.string(),
      args: z.array(z.string()),
      /** Values of secret variables (credential-plugins isShownEnv) are absent: they live in the secret store (execEnv). */
      env: z.array(z.object({ name: z.string(), value: z.string().optional() })),
      /** New whenever the stored env values change, so a plugin approval covers the values without a digest of them. */
      envRevision: z.string().optional(),
      apiVersion: z.string(),
      installHint: z.string().optional(),
      provideClusterInfo: z.boolean().optional(),
    })
    .optional(),
  authProvider: z.object({ name: z.string(), publicConfig: dictOf(z.string()) }).optional(),
});
type PublicUser = z.infer<typeof publicUserSchema>;

const storeFileSchema = z.object({
  version: z.literal(1),
  activeContext: z.string().optional(),
  clusters: dictOf(z.object({ source: z.string(), entry: clusterSchema })),
  users: dictOf(
    z.object({
      id: z.string(),
      source: z.string(),
      entry: publicUserSchema,
      secrets: z.array(z.enum(secretFields)),
      /** The servers (credential-binding endpointOf) these credentials may go to; absent in files from before. */
      servers: z.array(z.string()).optional(),
    }),
  ),
  contexts: dictOf(
    z.object({
      source: z.string(),
      importedAt: z.string(),
      entry: z.object({ cluster: z.string(), user: z.string(), namespace: z.string().optional() }),
    }),
  ),
  /** Plugin approvals by context; `approvalKey` covers the command and the context's server (plugin-approvals.ts). */
  approvals: dictOf(z.object({ command: z.string(), approvedAt: z.string(), approvalKey: z.string().optional() })),
  /** Files outside a kubeconfig's folder that the user allowed a context to read (file-approvals.ts). */
  fileApprovals: dictOf(z.object({ paths: z.array(z.string()), approvedAt: z.string() })).optional(),
});
export type StoreFile = z.infer<typeof storeFileSchema>;
export type StoredUser = StoreFile['users'][string];

const secretLabels: Record<SecretField, string> = {
  token: 'token',
  clientKeyData: 'client key',
  password: 'password',
  authProviderConfig: 'auth-provider configuration',
  execEnv: 'plugin environment values',
};

const emptyStore = (): StoreFile => ({ version: 1, clusters: dict(), users: dict(), contexts: dict(), approvals: dict() });

export class ClusterStore {
  static readonly fileName = 'clusters.json';
  readonly path: string;
  private readonly queue = new SerialQueue();

  constructor(
    dataDir: string,
    private readonly secrets: SecretStore,
  ) {
    this.path = join(dataDir, ClusterStore.fileName);
  }

  /** The file as stored (no secrets). A corrupt file is kept aside and an empty store is used. */
  read(): Promise<StoreFile> {
    return this.queue.run(() => this.load());
  }

  /** Read-modify-write, one at a time. A throwing change writes nothing. */
  update<T>(change: (file: StoreFile) => T | Promise<T>): Promise<T> {
    return this.transaction(async (file) => ({ result: await change(file), save: true }));
  }

  /** Like update, but the change decides whether anything is written. */
  transaction<T>(change: (file: StoreFile) => Promise<{ result: T; save: boolean }>): Promise<T> {
    return this.queue.run(async () => {
      const file = await this.load();
      const { result, save } = await change(file);
      if (save) await this.save(file);
      return result;
    });
  }

  /** Every entry with its secrets, for merging and connecting. Stays in the main process. */
  async namespace(file: StoreFile): Promise<Namespace> {
    const users = new Map<string, Sourced<UserEntry>>();
    for (const [name, stored] of Object.entries(file.users)) {
      const entry = await this.fullUser(stored);
      const incomplete = (await this.missingSecrets(stored)).length > 0;
      const boundTo = stored.servers ?? serversInUse(file, name);
      users.set(name, { source: stored.source, entry, boundTo, ...(incomplete ? { incomplete } : {}) });
    }
    return {
      clusters: new Map(Object.entries(file.clusters).map(([name, { source, entry }]) => [name, { source, entry: stripUndefined(entry) }])),
      users,
      contexts: new Map(
        Object.entries(file.contexts).map(([name, { source, entry }]) => [name, { source, entry: stripUndefined<ContextEntry>(entry) }]),
      ),
    };
  }

  /**
   * Secret fields the file lists that cannot be used: gone from the secret store (a memory store
   * after a restart) or there but not decryptable (keyring changed or locked, file altered). Both
   * mean the same to the user: enter that credential again, by importing the kubeconfig again.
   */
  async missingSecrets(stored: StoredUser): Promise<SecretField[]> {
    return (await this.unusableSecrets(stored)).map(({ field }) => field);
  }

  /**
   * The user with its secrets, for connecting or exporting.
   * @throws AppError SECRET_STORAGE_UNAVAILABLE when saved secrets are gone or cannot be decrypted.
   */
  async requireUser(stored: StoredUser, name: string): Promise<UserEntry> {
    const unusable = await this.unusableSecrets(stored);
    if (unusable.length > 0) {
      const what = unusable.map(({ field }) => secretLabels[field]).join(' and ');
      const verb = unusable.length === 1 ? 'is' : 'are';
      const why = unusable.some(({ reason }) => reason === 'undecryptable')
        ? `${unusable.length === 1 ? 'it' : 'they'} cannot be decrypted (the OS keyring changed or is locked, or the secrets file was altered)`
        : this.secrets.persistent
          ? 'the secret store no longer has them'
          : 'this secret store keeps secrets only in memory, and Nestlab was restarted';
      const state = unusable.some(({ reason }) => reason === 'undecryptable') ? 'unusable' : 'gone';
      throw new AppError(
        'SECRET_STORAGE_UNAVAILABLE',
        `The saved ${what} of user "${name}" ${verb} ${state}: ${why}. Import the kubeconfig again.`,
        {
          user: name,
          cause: `The saved ${what} of user "${name}" ${verb} ${state}.`,
          fix: 'Import the kubeconfig again.',
        },
      );
    }
    return this.fullUser(stored);
  }

  /** The user entry with the secrets that can be read back from the secret store. */
  async fullUser(stored: StoredUser): Promise<UserEntry> {
    const { authProvider, exec, ...rest } = stored.entry;
    const user: UserEntry = stripUndefined(rest);
    let secretEnv: string[] = [];
    for (const field of stored.secrets) {
      const value = (await this.readSecret(secretKey(stored.id, field))).value;
      if (value === undefined) continue;
      if (field === 'authProviderConfig')
        user.authProvider = {
          name: authProvider?.name ?? '',
          config: dictFrom(Object.entries(JSON.parse(value) as Record<string, string>)),
        };
      else if (field === 'execEnv') secretEnv = JSON.parse(value) as string[];
      else user[field] = value;
    }
    if (exec !== undefined) {
      const { envRevision: _revision, env, ...command } = exec;
      let next = 0;
      const values = env.map(({ name, value }) => ({ name, value: value ?? secretEnv[next++] ?? '' }));
      user.exec = stripUndefined({ ...command, env: values });
    }
    if (authProvider !== undefined && user.authProvider === undefined) user.authProvider = { name: authProvider.name, config: dict() };
    return user;
  }

  private async unusableSecrets(stored: StoredUser): Promise<{ field: SecretField; reason: 'gone' | 'undecryptable' }[]> {
    const unusable: { field: SecretField; reason: 'gone' | 'undecryptable' }[] = [];
    for (const field of stored.secrets) {
      const key = secretKey(stored.id, field);
      if (!(await this.secrets.has(key))) unusable.push({ field, reason: 'gone' });
      else if ((await this.readSecret(key)).undecryptable) unusable.push({ field, reason: 'undecryptable' });
    }
    return unusable;
  }

  /** One secret; one that cannot be decrypted counts as missing, so it blocks only its own user. */
  private async readSecret(key: string): Promise<{ value?: string; undecryptable?: true }> {
    try {
      const value = await this.secrets.get(key);
      return value === undefined ? {} : { value };
    } catch (error) {
      const code = AppError.from(error).code;
      if (code === 'SECRET_STORAGE_UNAVAILABLE' || code === 'FILE_CORRUPT') return { undecryptable: true };
      throw error;
    }
  }

  /**
   * Writes a merged namespace back: secrets of new or changed users first (a refusing secret store
   * leaves the file untouched), then the file, then the secrets of users that are gone.
   */
  async replaceAll(file: StoreFile, next: Namespace, importedAt: string, changedContexts: readonly string[]): Promise<void> {
    const previousUsers = file.users;
    const users = dict<StoredUser>();
    for (const [name, { entry, source, boundTo }] of next.users) {
      const before = previousUsers[name];
      const id = before?.id ?? randomUUID();
      const servers = boundTo ?? before?.servers ?? [];
      // Files from before kept plugin env values in plain text: those users are stored again (values to the secret store).
      const plainEnv = before?.entry.exec?.env.some(({ name, value }) => value !== undefined && !isShownEnv(name)) === true;
      if (before !== undefined && !plainEnv && sameEntry(await this.fullUser(before), entry)) {
        users[name] = { ...before, servers };
        continue;
      }
      users[name] = { ...(await this.storeUser(id, entry, source, before)), servers };
    }
    file.users = users;
    file.clusters = dict();
    for (const [name, value] of next.clusters) file.clusters[name] = value;
    const contexts = dict<StoreFile['contexts'][string]>();
    for (const [name, { entry, source }] of next.contexts) {
      const before = file.contexts[name];
      contexts[name] = {
        source,
        entry,
        importedAt: changedContexts.includes(name) || before === undefined ? importedAt : before.importedAt,
      };
    }
    file.contexts = contexts;
    if (file.activeContext !== undefined && !(file.activeContext in contexts)) delete file.activeContext;
    // An approval goes with its context (older files keyed them by command: those go too).
    for (const name of Object.keys(file.approvals)) if (!(name in contexts)) delete file.approvals[name];
    for (const name of Object.keys(file.fileApprovals ?? {})) if (!(name in contexts)) delete file.fileApprovals?.[name];
    for (const [name, stored] of Object.entries(previousUsers)) {
      if (users[name]?.id !== stored.id) await this.secrets.deletePrefix(`${userPrefix(stored.id)}`);
    }
  }

  private async storeUser(id: string, entry: UserEntry, source: string, before: StoredUser | undefined): Promise<StoredUser> {
    const { token, clientKeyData, password, authProvider, exec, ...rest } = entry;
    const secretEnv = (exec?.env ?? []).filter(({ name }) => !isShownEnv(name)).map(({ value }) => value);
    const values: Partial<Record<SecretField, string>> = {
      token,
      clientKeyData,
      password,
      authProviderConfig: authProvider === undefined ? undefined : JSON.stringify(authProvider.config),
      execEnv: secretEnv.length === 0 ? undefined : JSON.stringify(secretEnv),
    };
    const stored: SecretField[] = [];
    for (const field of secretFields) {
      const value = values[field];
      if (value === undefined || value === '') {
        if (before?.secrets.includes(field)) await this.secrets.delete(secretKey(id, field));
        continue;
      }
      await this.secrets.set(secretKey(id, field), value);
      stored.push(field);
    }
    const publicEntry: PublicUser = { ...rest };
    if (exec !== undefined) {
      publicEntry.exec = {
        ...exec,
        env: exec.env.map(({ name, value }) => (isShownEnv(name) ? { name, value } : { name })),
        envRevision: randomUUID(),
      };
    }
    if (authProvider !== undefined) {
      publicEntry.authProvider = {
        name: authProvider.name,
        publicConfig: dictFrom(Object.entries(authProvider.config).filter(([key]) => publicAuthProviderKeys.includes(key))),
      };
    }
    return { id, source, entry: publicEntry, secrets: stored };
  }

  private async load(): Promise<StoreFile> {
    const read = await readJsonFile(this.path, storeFileSchema);
    if (read.state === 'ok') return read.value;
    if (read.state === 'missing') return emptyStore();
    if (read.state === 'unreadable') throw new AppError('FILE_IO', `Cannot read ${this.path}. Check its permissions.`, { path: this.path });
    // Kept aside, never overwritten: the user can recover imported contexts from it by hand.
    await keepAside(this.path, 'corrupt');
    return emptyStore();
  }

  private async save(file: StoreFile): Promise<void> {
    await writeJsonFile(this.path, file);
  }
}

/** Files from before credential binding: a user is bound to the servers its contexts use now. */
function serversInUse(file: StoreFile, user: string): string[] {
  const servers = new Set<string>();
  for (const { entry } of Object.values(file.contexts)) {
    const cluster = entry.user === user ? file.clusters[entry.cluster] : undefined;
    if (cluster !== undefined) servers.add(endpointOf(stripUndefined(cluster.entry)));
  }
  return [...servers];
}

function userPrefix(id: string): string {
  return `kubeconfig-user/${id}/`;
}

function secretKey(id: string, field: SecretField): string {
  return `${userPrefix(id)}${field}`;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as T;
}
