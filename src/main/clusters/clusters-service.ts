import { mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type {
  AffectedContext,
  ClashResolution,
  ClusterAuthKind,
  ClusterContext,
  ClusterNode,
  ClustersService as ClustersContract,
  ClustersState,
  ConnectionTestResult,
  DefaultKubeconfig,
  ExportOptions,
  ExportResult,
  ImportResult,
  KubeconfigSource,
} from '../../shared/contract/clusters';
import { AppError } from '../../shared/errors';
import { Emitter, type Event } from '../../shared/event';
import { runProgram, type RunProgram } from '../platform/run-program';
import type { SecretStore } from '../secrets/secret-store';
import type { KubeConfig } from '@kubernetes/client-node';
import { toKubeConfig } from '../kube/connection-target';
import { ClusterStore, type StoreFile } from './cluster-store';
import { dict } from './name-dict';
import { ConnectionTargets } from './connection-target';
import { checkHealth, listNodeObjects, toClusterNode } from './health-check';
import { HealthMonitor } from './health-monitor';
import { collectUnused, planImport } from './import-plan';
import { externalFilesAllowed, externalFilesOf } from './file-approvals';
import { pluginStateOf } from './plugin-approvals';
import { kubeRequest, type KubeRequest, type KubeRequester } from '../kube/target-request';
import { exportToKubeconfig, renderSingleContext, type ExportEntries } from './kubeconfig-export';
import { defaultKubeconfigPaths, expandHome, invalidKubeconfig, loadSource } from './kubeconfig-sources';

/** What the clusters service is built from (the composition root wires these). */
export interface ClustersServiceOptions {
  /** Folder for clusters.json. */
  dataDir: string;
  secrets: SecretStore;
  /** HTTPS to API servers; tests keep the real one and point it at a real API server. */
  request?: KubeRequester;
  /** Runs credential plugins. */
  run?: RunProgram;
  /** Health of every context is checked this often. Default 30 s; 0 turns the timer off. */
  refreshIntervalMs?: number;
  /** Time limit of one API request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Time limit of a credential plugin. Default 30 s. */
  pluginTimeoutMs?: number;
  /** Home folder for ~/.kube/config (default os.homedir()) and the environment for $KUBECONFIG. */
  homeDir?: string;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

/**
 * Kubeconfig contexts imported into Nestlab: import with validation and clash resolution, health
 * checks with a diagnosis of every failure, credential-plugin approval, export. Everything it
 * returns or fires is plain JSON without secrets (`hasToken: true`, never the token).
 */
export class ClustersService implements ClustersContract {
  private readonly emitter = new Emitter<ClustersState>();
  /** Fires after imports, removals, switches and every health check. */
  readonly onDidChange: Event<ClustersState> = this.emitter.event;

  private readonly store: ClusterStore;
  private readonly targets: ConnectionTargets;
  private readonly request: KubeRequester;
  private readonly health: HealthMonitor;
  private readonly now: () => Date;
  private disposed = false;

  constructor(private readonly options: ClustersServiceOptions) {
    this.store = new ClusterStore(options.dataDir, options.secrets);
    this.request = options.request ?? kubeRequest;
    this.now = options.now ?? (() => new Date());
    this.targets = new ConnectionTargets({
      store: this.store,
      run: options.run ?? runProgram,
      pluginTimeoutMs: options.pluginTimeoutMs ?? 30_000,
      now: () => this.now().getTime(),
    });
    this.health = new HealthMonitor({
      contexts: async () => Object.keys((await this.store.read()).contexts),
      test: async (context) => {
        const { target, identity } = await this.targets.resolve(await this.store.read(), context);
        return checkHealth(this.request, target, identity, this.requestTimeoutMs());
      },
      changed: () => this.fireCurrent(),
      refused: (context) => this.targets.forget(context),
      intervalMs: options.refreshIntervalMs ?? 30_000,
      now: () => this.now(),
    });
  }

  async list(): Promise<ClustersState> {
    return await this.state(await this.store.read());
  }

  async defaultKubeconfig(): Promise<DefaultKubeconfig> {
    const paths = defaultKubeconfigPaths(this.environment());
    const loaded = await loadSource({ kind: 'default' }, this.environment());
    if (loaded.problems.length > 0 || !loaded.complete) {
      return { paths, contexts: [], problem: invalidKubeconfig(loaded.problems).toJSON() };
    }
    const plan = planImport({ clusters: new Map(), users: new Map(), contexts: new Map() }, loaded.files, []);
    return {
      paths,
      contexts: plan.imported.map((name) => {
        const context = plan.next.contexts.get(name)!.entry;
        return { name, server: plan.next.clusters.get(context.cluster)?.entry.server ?? '' };
      }),
      ...(plan.currentContext === undefined ? {} : { currentContext: plan.currentContext }),
    };
  }

  async importKubeconfig(source: KubeconfigSource, resolutions: ClashResolution[]): Promise<ImportResult> {
    const loaded = await loadSource(source, this.environment());
    // References between files are checked only when every file could be read.
    if (!loaded.complete) throw invalidKubeconfig(loaded.problems);
    const files = loaded.files;
    await mkdir(this.options.dataDir, { recursive: true, mode: 0o700 });
    type Outcome =
      | Extract<ImportResult, { status: 'needs-resolution' }>
      | { status: 'imported'; imported: string[]; notices: string[]; file: StoreFile };
    const outcome = await this.store.transaction<Outcome>(async (file) => {
      const plan = planImport(await this.store.namespace(file), files, resolutions);
      const problems = [...loaded.problems, ...plan.problems];
      if (problems.length > 0) throw invalidKubeconfig(problems);
      if (plan.clashes.length > 0) {
        return { save: false, result: { status: 'needs-resolution' as const, clashes: plan.clashes, contexts: plan.imported } };
      }
      if (plan.unconfirmed.length > 0) throw otherServerRefused(plan.unconfirmed);
      await this.store.replaceAll(file, plan.next, this.now().toISOString(), plan.imported);
      if (file.activeContext === undefined) {
        const active = plan.currentContext ?? plan.imported[0];
        if (active !== undefined) file.activeContext = active;
      }
      return { save: true, result: { status: 'imported' as const, imported: plan.imported, notices: plan.notices, file } };
    });
    if (outcome.status === 'needs-resolution') return outcome;
    for (const name of outcome.imported) {
      this.health.forget(name);
      this.targets.forget(name);
    }
    const state = await this.state(outcome.file);
    this.emitter.fire(state);
    // Credential plugins are not run by this: unapproved ones answer APPROVAL_REQUIRED.
    for (const name of outcome.imported) void this.health.check(name).catch(() => undefined);
    return { status: 'imported', imported: outcome.imported, notices: outcome.notices, state };
  }

  async remove(context: string): Promise<ClustersState> {
    const file = await this.store.update(async (current) => {
      if (current.contexts[context] === undefined) throw notFound(context);
      const namespace = await this.store.namespace(current);
      namespace.contexts.delete(context);
      collectUnused(namespace);
      await this.store.replaceAll(current, namespace, this.now().toISOString(), []);
      return current;
    });
    this.health.forget(context);
    this.targets.forget(context);
    return await this.fire(file);
  }

  async setActive(context: string): Promise<ClustersState> {
    const file = await this.store.update((current) => {
      if (current.contexts[context] === undefined) throw notFound(context);
      current.activeContext = context;
      return current;
    });
    if (!this.health.checked(context)) void this.health.check(context).catch(() => undefined);
    return await this.fire(file);
  }

  async refresh(context: string): Promise<ClustersState> {
    await this.health.check(context);
    return this.list();
  }

  async refreshAll(): Promise<ClustersState> {
    await this.health.checkAll();
    return this.list();
  }

  async testConnection(context: string): Promise<ConnectionTestResult> {
    return this.health.check(context);
  }

  async listNodes(context: string): Promise<ClusterNode[]> {
    const { target } = await this.targets.resolve(await this.store.read(), context);
    const nodes = await listNodeObjects(this.request, target, this.requestTimeoutMs());
    return nodes.map(toClusterNode).sort((a, b) => a.name.localeCompare(b.name));
  }

  async approvePlugin(context: string, approvalKey: string): Promise<ClustersState> {
    const file = await this.store.update((current) => {
      if (current.contexts[context] === undefined) throw notFound(context);
      const state = pluginStateOf(current, context);
      if (state === undefined) throw new AppError('NOT_FOUND', `Context "${context}" has no credential plugin to approve.`, { context });
      if (state.approvalKey !== approvalKey) {
        throw new AppError(
          'CONFLICT',
          `The command or the server of context "${context}" changed since it was shown. Review it again before approving.`,
          { context },
        );
      }
      current.approvals[context] = { command: state.plugin.command, approvalKey, approvedAt: this.now().toISOString() };
      return current;
    });
    this.health.forget(context);
    const state = await this.fire(file);
    void this.health.check(context).catch(() => undefined);
    return state;
  }

  async revokePlugin(context: string): Promise<ClustersState> {
    const file = await this.store.update((current) => {
      if (current.contexts[context] === undefined) throw notFound(context);
      delete current.approvals[context];
      return current;
    });
    this.targets.forget(context);
    this.health.forget(context);
    return await this.fire(file);
  }

  async allowExternalFiles(context: string, paths: string[]): Promise<ClustersState> {
    const file = await this.store.update((current) => {
      if (current.contexts[context] === undefined) throw notFound(context);
      const files = externalFilesOf(current, context);
      if (files.length !== paths.length || files.some((path, index) => path !== paths[index])) {
        throw new AppError('CONFLICT', `The files context "${context}" reads changed since they were shown. Review them again.`, {
          context,
        });
      }
      current.fileApprovals = Object.assign(dict<{ paths: string[]; approvedAt: string }>(), current.fileApprovals);
      current.fileApprovals[context] = { paths: files, approvedAt: this.now().toISOString() };
      return current;
    });
    this.health.forget(context);
    const state = await this.fire(file);
    void this.health.check(context).catch(() => undefined);
    return state;
  }

  async exportContext(context: string, options: ExportOptions): Promise<ExportResult> {
    const home = this.options.homeDir ?? homedir();
    const path = options.path === undefined ? join(home, '.kube', 'config') : expandHome(options.path, home);
    return exportToKubeconfig(path, await this.exportEntries(await this.store.read(), context), options.replace === true, this.now());
  }

  /**
   * Main-process only (not in the contract): the kubeconfig YAML of one context, secrets included,
   * for a terminal's private kubeconfig. A credential plugin the user has not approved is refused
   * here too, since kubectl would run it.
   */
  async kubeconfigYamlFor(context: string): Promise<string> {
    const file = await this.store.read();
    if (file.contexts[context] === undefined) throw notFound(context);
    const plugin = pluginStateOf(file, context);
    if (plugin !== undefined && !plugin.approved) {
      throw new AppError(
        'APPROVAL_REQUIRED',
        `Context "${context}" gets its credentials from the command "${[plugin.plugin.command, ...plugin.plugin.args].join(' ')}". Approve it in the Clusters view first.`,
        { context, approvalKey: plugin.approvalKey, command: plugin.plugin.command },
      );
    }
    return renderSingleContext(await this.exportEntries(file, context));
  }

  /**
   * Main-process only: a client-node KubeConfig for one context with resolved credentials (see
   * kube/connection-target.ts). With contextNames() this is the KubeConfigProvider shape other
   * services take. Plugin credentials expire, so ask again rather than keeping the result.
   */
  async kubeConfigFor(context: string): Promise<KubeConfig> {
    const file = await this.store.read();
    const { target } = await this.targets.resolve(file, context);
    return toKubeConfig(context, file.contexts[context]?.entry.namespace, target);
  }

  /**
   * Main-process only: drops what is kept of a context's credentials (a plugin's token), so the
   * next kubeConfigFor resolves them afresh. The topology calls it after the API server refused them.
   */
  forgetCredentials(context: string): void {
    this.targets.forget(context);
  }

  /** Main-process only: the names of the imported contexts. */
  async contextNames(): Promise<string[]> {
    return Object.keys((await this.store.read()).contexts).sort();
  }

  private async exportEntries(file: StoreFile, context: string): Promise<ExportEntries> {
    const stored = file.contexts[context];
    if (stored === undefined) throw notFound(context);
    const cluster = file.clusters[stored.entry.cluster];
    if (cluster === undefined) throw notFound(context);
    const user = stored.entry.user === '' ? undefined : file.users[stored.entry.user];
    return {
      context: [context, stored.entry],
      cluster: [stored.entry.cluster, cluster.entry],
      ...(user === undefined ? {} : { user: [stored.entry.user, await this.store.requireUser(user, stored.entry.user)] }),
    };
  }

  /**
   * Main-process only (not in the contract): one API request as a context's identity, with the
   * same diagnosis as health checks. Labs use it (provisioning steps, machine operations).
   */
  async requestAs(context: string, request: KubeRequest): Promise<unknown> {
    const { target } = await this.targets.resolve(await this.store.read(), context);
    return this.request(target, { timeoutMs: this.requestTimeoutMs(), ...request });
  }

  dispose(): void {
    this.disposed = true;
    this.health.dispose();
    this.emitter.dispose();
  }

  private async fireCurrent(): Promise<void> {
    if (this.disposed || this.emitter.listenerCount === 0) return;
    await this.fire(await this.store.read());
  }

  private async fire(file: StoreFile): Promise<ClustersState> {
    const state = await this.state(file);
    if (!this.disposed) this.emitter.fire(state);
    return state;
  }

  private async state(file: StoreFile): Promise<ClustersState> {
    const sources = await sourcesThere(Object.values(file.contexts).map((stored) => stored.source));
    const contexts = Object.entries(file.contexts)
      .map(([name, stored]) => this.summary(file, name, stored, sources.get(stored.source)))
      .filter((context): context is ClusterContext => context !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
    return { contexts, ...(file.activeContext === undefined ? {} : { activeContext: file.activeContext }) };
  }

  private summary(
    file: StoreFile,
    name: string,
    stored: StoreFile['contexts'][string],
    sourceExists: boolean | undefined,
  ): ClusterContext | undefined {
    const cluster = file.clusters[stored.entry.cluster];
    if (cluster === undefined) return undefined;
    const user = stored.entry.user === '' ? undefined : file.users[stored.entry.user];
    const entry = user?.entry ?? {};
    const secrets = user?.secrets ?? [];
    const plugin = pluginStateOf(file, name);
    const kind: ClusterAuthKind = entry.exec
      ? 'exec'
      : entry.authProvider
        ? 'auth-provider'
        : entry.clientCertData !== undefined || entry.clientCertFile !== undefined
          ? 'client-certificate'
          : secrets.includes('token')
            ? 'token'
            : entry.tokenFile !== undefined
              ? 'token-file'
              : secrets.includes('password')
                ? 'basic'
                : 'none';
    return {
      name,
      clusterName: stored.entry.cluster,
      userName: stored.entry.user,
      ...(stored.entry.namespace === undefined ? {} : { namespace: stored.entry.namespace }),
      server: cluster.entry.server,
      source: stored.source,
      ...(sourceExists === undefined ? {} : { sourceExists }),
      importedAt: stored.importedAt,
      hasCertificateAuthority: cluster.entry.caData !== undefined || cluster.entry.caFile !== undefined,
      insecureSkipTlsVerify: cluster.entry.insecureSkipTlsVerify,
      ...(cluster.entry.tlsServerName === undefined ? {} : { tlsServerName: cluster.entry.tlsServerName }),
      auth: {
        kind,
        hasToken: secrets.includes('token') || entry.tokenFile !== undefined,
        hasClientKey: secrets.includes('clientKeyData') || entry.clientKeyFile !== undefined,
        hasPassword: secrets.includes('password'),
        ...(entry.username === undefined ? {} : { username: entry.username }),
        ...(plugin === undefined ? {} : { plugin: { ...plugin.plugin, approvalKey: plugin.approvalKey, approved: plugin.approved } }),
      },
      externalFiles: externalFilesOf(file, name),
      externalFilesAllowed: externalFilesAllowed(file, name),
      health: this.health.of(name),
    };
  }

  private environment() {
    return {
      ...(this.options.homeDir === undefined ? {} : { homeDir: this.options.homeDir }),
      ...(this.options.env === undefined ? {} : { env: this.options.env }),
    };
  }

  private requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? 10_000;
  }
}

/** A clash choice that would send credentials to another server, made without confirming it. */
function otherServerRefused(contexts: readonly AffectedContext[]): AppError {
  const lines = contexts.map(
    (item) =>
      `context "${item.context}" would send the credentials of user "${item.user}" (from ${item.credentialsFrom}) to ${item.server}`,
  );
  return new AppError(
    'CONFIRMATION_REQUIRED',
    `Nothing was imported: ${lines.join('; ')}, a server they were not imported with. Rename instead, or confirm that server for those credentials.`,
    { contexts: contexts.map((item) => ({ ...item })) },
  );
}

/**
 * For each source that is a file path (pasted text has a name, not a path): whether a file is
 * there now, so "Re-read from <path>" is offered only where it can work.
 */
async function sourcesThere(sources: readonly string[]): Promise<Map<string, boolean>> {
  const paths = [...new Set(sources)].filter((source) => isAbsolute(source));
  const there = await Promise.all(
    paths.map((path) =>
      stat(path).then(
        (found) => found.isFile(),
        () => false,
      ),
    ),
  );
  return new Map(paths.map((path, index) => [path, there[index]!]));
}

function notFound(context: string): AppError {
  return new AppError('NOT_FOUND', `There is no context "${context}". It may have been removed.`, { context });
}
