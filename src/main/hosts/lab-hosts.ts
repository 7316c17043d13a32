import { randomUUID } from 'node:crypto';
import type { ClientChannel, PseudoTtyOptions } from 'ssh2';
import { mkdir } from 'node:fs/promises';
import { AppError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { Event } from '../../shared/event';
import type { SecretStore } from '../secrets/secret-store';
import { hostSecretKey } from '../secrets/secret-store';
import { scanHostKey } from './host-key-scan';
import type { PresentedHostKey } from './host-key-scan';
import { HostInventoryStore } from './host-inventory-store';
import type { HostRecord } from './host-inventory-store';
import { assertJumpChain, validateAuth, validateHostFields, validateHostInput, validateSecret } from './host-input';
import { resolveCredentials, saveHostSecrets } from './host-credentials';
import type { ConnectionStateChange, ConnectionTestResult, HostInput, HostPatch, HostSummary, ProbeProgress } from './host-types';
import { KnownHostsStore } from './known-hosts-store';
import { probeHost } from './preflight/run-preflight';
import type { PreflightReport, PreflightThresholds } from './preflight/preflight-types';
import type { SshClientFactory } from './ssh-client-factory';
import { SshConnection } from './ssh-connection';
import type { ExecOptions, ExecResult } from './ssh-connection';
import { runWithSudo } from './sudo';
import { remoteCommandLine } from './shell-quote';

/** What the hosts service is built from (the composition root wires these). */
export interface LabHostsOptions {
  /** Folder for hosts.json and known-hosts.json. */
  dataDir: string;
  secrets: SecretStore;
  createSshClient?: SshClientFactory;
  /** ssh-agent socket; default $SSH_AUTH_SOCK. */
  agentSocket?: string;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  reconnect?: { initialDelayMs: number; maxDelayMs: number } | false;
  thresholds?: PreflightThresholds;
}

/**
 * Lab hosts: the inventory, host-key trust, saved secrets, one shared SSH connection per host,
 * remote commands and the preflight probe. Everything it returns or fires is plain JSON
 * without secrets (`hasPassword: true`, never the password).
 */
export class LabHosts {
  private readonly hostsEmitter = new Emitter<HostSummary[]>();
  private readonly connectionEmitter = new Emitter<ConnectionStateChange>();
  private readonly probeEmitter = new Emitter<ProbeProgress>();
  /** The inventory changed (added, edited, removed, host key accepted or forgotten). */
  readonly onDidChangeHosts: Event<HostSummary[]> = this.hostsEmitter.event;
  /** A host's connection changed state (connecting, ready, reconnecting with delay, idle with error). */
  readonly onDidChangeConnection: Event<ConnectionStateChange> = this.connectionEmitter.event;
  /** A probe moved to its next phase; the last event carries the report or the error. */
  readonly onDidProbeProgress: Event<ProbeProgress> = this.probeEmitter.event;

  private readonly inventory: HostInventoryStore;
  private readonly knownHosts: KnownHostsStore;
  private readonly connections = new Map<string, SshConnection>();
  /** hostId -> the jump host its open connection goes through. */
  private readonly jumpOf = new Map<string, string>();

  private constructor(private readonly options: LabHostsOptions) {
    this.inventory = new HostInventoryStore(options.dataDir);
    this.knownHosts = new KnownHostsStore(options.dataDir);
  }

  /**
   * Open the service on a data folder. A fresh folder gets an empty host-key store; a folder that
   * has hosts but no host-key store stays fail-closed (every connection: HOST_KEY_STORE_CORRUPT).
   */
  static async create(options: LabHostsOptions): Promise<LabHosts> {
    await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    const service = new LabHosts(options);
    if ((await service.inventory.list()).length === 0) await service.knownHosts.createIfAbsent();
    return service;
  }

  async list(): Promise<HostSummary[]> {
    return Promise.all((await this.inventory.list()).map((record) => this.summarize(record)));
  }

  async get(hostId: string): Promise<HostSummary> {
    return this.summarize(await this.record(hostId));
  }

  /** Add a host. Its secrets go to the secret store; nothing connects yet. */
  async add(input: HostInput): Promise<HostSummary> {
    const valid = validateHostInput(input);
    const hosts = await this.inventory.list();
    if (hosts.some((host) => host.name === valid.name)) {
      throw new AppError('ALREADY_EXISTS', `A host named "${valid.name}" already exists. Choose another name.`, { field: 'name' });
    }
    const id = randomUUID();
    if (valid.jumpHostId !== undefined) assertJumpChain(hosts, id, valid.jumpHostId);
    const now = new Date().toISOString();
    // Secrets first: if the store refuses (no keyring), no half-configured host is left behind.
    await saveHostSecrets(this.options.secrets, id, valid.auth, valid.sudoPassword);
    const record: HostRecord = {
      id,
      name: valid.name,
      address: valid.address,
      port: valid.port,
      user: valid.user,
      os: valid.os,
      auth: valid.auth.kind === 'keyFile' ? { kind: 'keyFile', keyPath: valid.auth.path } : { kind: valid.auth.kind },
      storagePath: valid.storagePath,
      createdAt: now,
      updatedAt: now,
      ...(valid.jumpHostId === undefined ? {} : { jumpHostId: valid.jumpHostId }),
    };
    await this.inventory.update((list) => list.push(record));
    await this.fireHosts();
    return this.summarize(record);
  }

  /** Change a host. A new address, port, user or auth drops its open connection. */
  async update(hostId: string, patch: HostPatch): Promise<HostSummary> {
    const current = await this.record(hostId);
    // Validate everything before changing anything.
    const fields = validateHostFields({
      name: patch.name ?? current.name,
      address: patch.address ?? current.address,
      port: patch.port ?? current.port,
      user: patch.user ?? current.user,
      os: patch.os ?? current.os,
      storagePath: patch.storagePath ?? current.storagePath,
    });
    const auth = patch.auth === undefined ? undefined : validateAuth(patch.auth);
    const sudoPassword = typeof patch.sudoPassword === 'string' ? validateSecret('sudoPassword', patch.sudoPassword) : patch.sudoPassword;
    const jumpHostId = patch.jumpHostId === null ? undefined : (patch.jumpHostId ?? current.jumpHostId);
    const hosts = await this.inventory.list();
    if (hosts.some((host) => host.id !== hostId && host.name === fields.name)) {
      throw new AppError('ALREADY_EXISTS', `A host named "${fields.name}" already exists. Choose another name.`, { field: 'name' });
    }
    if (jumpHostId !== undefined) assertJumpChain(hosts, hostId, jumpHostId);

    if (auth !== undefined) {
      // The sign-in secrets are replaced; the sudo password belongs to the user, not the method.
      for (const kind of ['password', 'passphrase', 'privateKey'] as const) {
        await this.options.secrets.delete(hostSecretKey(hostId, kind));
      }
      await saveHostSecrets(this.options.secrets, hostId, auth, undefined);
    }
    if (sudoPassword === null) await this.options.secrets.delete(hostSecretKey(hostId, 'sudoPassword'));
    else if (sudoPassword !== undefined) await this.options.secrets.set(hostSecretKey(hostId, 'sudoPassword'), sudoPassword);
    const record = await this.inventory.update((list) => {
      const next: HostRecord = { ...current, ...fields, updatedAt: new Date().toISOString() };
      if (auth !== undefined) next.auth = auth.kind === 'keyFile' ? { kind: 'keyFile', keyPath: auth.path } : { kind: auth.kind };
      if (jumpHostId === undefined) delete next.jumpHostId;
      else next.jumpHostId = jumpHostId;
      list[list.findIndex((host) => host.id === hostId)] = next;
      return next;
    });
    this.dropConnection(hostId);
    await this.fireHosts();
    return this.summarize(record);
  }

  /** Remove a host, its saved secrets and its accepted host key. */
  async remove(hostId: string): Promise<void> {
    await this.record(hostId);
    this.dropConnection(hostId);
    await this.inventory.update((list) =>
      list.splice(
        list.findIndex((host) => host.id === hostId),
        1,
      ),
    );
    await this.options.secrets.deletePrefix(`host/${hostId}/`);
    await this.knownHosts.delete(hostId).catch(() => undefined);
    await this.fireHosts();
  }

  /**
   * Connect (or reuse the connection) and run a trivial command. First contact answers
   * HOST_KEY_UNKNOWN with the key type and fingerprint, having run nothing.
   */
  async testConnection(hostId: string, signal?: AbortSignal): Promise<ConnectionTestResult> {
    const started = Date.now();
    try {
      const connection = await this.connection(hostId);
      await connection.exec(':', { timeoutMs: 15_000, ...(signal === undefined ? {} : { signal }) });
      const key = await this.knownHosts.get(hostId);
      return {
        ok: true,
        durationMs: Date.now() - started,
        hostKey: { keyType: key?.keyType ?? 'unknown', fingerprint: key?.fingerprint ?? '' },
      };
    } catch (error) {
      return { ok: false, error: AppError.from(error).toJSON() };
    }
  }

  /** The key the host presents right now, without trusting it (for the accept dialog). */
  async scanHostKey(hostId: string): Promise<PresentedHostKey> {
    const record = await this.record(hostId);
    const jump = record.jumpHostId === undefined ? undefined : await this.connection(record.jumpHostId);
    return scanHostKey(
      { hostId, host: record.address, port: record.port, username: record.user },
      {
        ...(this.options.createSshClient === undefined ? {} : { createClient: this.options.createSshClient }),
        readyTimeoutMs: this.options.readyTimeoutMs ?? 15_000,
        ...(jump === undefined ? {} : { sock: await jump.forwardOut(record.address, record.port) }),
      },
    );
  }

  /**
   * Trust the host key with this fingerprint, after checking that the host presents exactly it
   * now. A host that already has a different accepted key must be forgotten first.
   */
  async acceptHostKey(hostId: string, fingerprint: string): Promise<HostSummary> {
    const existing = await this.knownHosts.get(hostId);
    const presented = await this.scanHostKey(hostId);
    if (existing !== undefined && existing.fingerprint !== presented.fingerprint) {
      throw new AppError(
        'HOST_KEY_CHANGED',
        `This host already has an accepted key (${existing.fingerprint}) and now presents ${presented.fingerprint}. Forget the old key first if you know the host was reinstalled.`,
        { hostId, keyType: presented.keyType, expected: existing.fingerprint, presented: presented.fingerprint },
      );
    }
    if (presented.fingerprint !== fingerprint) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `The host presents ${presented.fingerprint}, not the fingerprint that was accepted (${fingerprint}). Nothing was stored; check the host and try again.`,
        { field: 'fingerprint', presented: presented.fingerprint },
      );
    }
    await this.knownHosts.set(hostId, { ...presented, acceptedAt: new Date().toISOString() });
    this.dropConnection(hostId);
    await this.fireHosts();
    return this.get(hostId);
  }

  /** Forget a host's accepted key: the next connection is a first contact again. */
  async forgetHostKey(hostId: string): Promise<HostSummary> {
    await this.record(hostId);
    this.dropConnection(hostId);
    await this.knownHosts.delete(hostId);
    await this.fireHosts();
    return this.get(hostId);
  }

  /** Replace a missing or corrupt host-key store with an empty one (every host: first contact). */
  async resetHostKeyStore(): Promise<void> {
    for (const id of [...this.connections.keys()]) this.dropConnection(id);
    await this.knownHosts.reset();
    await this.fireHosts();
  }

  /** Probe a host (one connection, one command) and evaluate it. Progress via onDidProbeProgress. */
  async probe(hostId: string, signal?: AbortSignal): Promise<PreflightReport> {
    const record = await this.record(hostId);
    try {
      this.probeEmitter.fire({ hostId, phase: 'connecting' });
      const connection = await this.connection(hostId);
      await connection.connect(signal);
      this.probeEmitter.fire({ hostId, phase: 'probing' });
      const report = await probeHost(connection, record.os, {
        storagePath: record.storagePath,
        ...(this.options.thresholds === undefined ? {} : { thresholds: this.options.thresholds }),
        ...(signal === undefined ? {} : { signal }),
      });
      this.probeEmitter.fire({ hostId, phase: 'done', report });
      return report;
    } catch (error) {
      const appError = AppError.from(error);
      this.probeEmitter.fire({ hostId, phase: 'failed', error: appError.toJSON() });
      throw appError;
    }
  }

  /** Run a program from an argument list on a host (for the labs service). */
  async run(hostId: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return (await this.connection(hostId)).exec(remoteCommandLine(argv), options);
  }

  /** Run a program as root: sudo -n, or the saved sudo password over stdin when sudo asks. */
  async runAsRoot(hostId: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const record = await this.record(hostId);
    if (record.os === 'windows') {
      throw new AppError('INVALID_ARGUMENT', `${record.name} is a Windows host: run an elevated PowerShell session instead of sudo.`, {
        hostId,
      });
    }
    return runWithSudo(await this.connection(hostId), argv, {
      ...options,
      hostLabel: record.name,
      password: () => this.options.secrets.get(hostSecretKey(hostId, 'sudoPassword')),
    });
  }

  /** An interactive shell on the host's shared connection (the SSH terminal tab). */
  async shell(hostId: string, pty: PseudoTtyOptions, signal?: AbortSignal): Promise<ClientChannel> {
    return (await this.connection(hostId)).shell(pty, signal);
  }

  /** The shared connection of a host (created on first use; connects lazily). */
  async connection(hostId: string): Promise<SshConnection> {
    const existing = this.connections.get(hostId);
    if (existing !== undefined && existing.state !== 'closed') return existing;
    const record = await this.record(hostId);
    const via = record.jumpHostId === undefined ? undefined : await this.connection(record.jumpHostId);
    const connection = new SshConnection({
      hostId,
      endpoint: { host: record.address, port: record.port, username: record.user },
      credentials: () => resolveCredentials(record, this.options.secrets, this.options.agentSocket),
      expectedHostKey: () => this.knownHosts.get(hostId),
      readyTimeoutMs: this.options.readyTimeoutMs ?? 15_000,
      keepaliveIntervalMs: this.options.keepaliveIntervalMs ?? 10_000,
      ...(this.options.createSshClient === undefined ? {} : { createClient: this.options.createSshClient }),
      ...(this.options.reconnect === undefined ? {} : { reconnect: this.options.reconnect }),
      ...(via === undefined ? {} : { via }),
    });
    connection.onDidChangeState((change) => this.connectionEmitter.fire(change));
    this.connections.set(hostId, connection);
    if (record.jumpHostId !== undefined) this.jumpOf.set(hostId, record.jumpHostId);
    return connection;
  }

  /** Close every connection (app shutdown). */
  dispose(): void {
    for (const id of [...this.connections.keys()]) this.dropConnection(id);
    this.hostsEmitter.dispose();
    this.connectionEmitter.dispose();
    this.probeEmitter.dispose();
  }

  private async record(hostId: string): Promise<HostRecord> {
    const record = (await this.inventory.list()).find((host) => host.id === hostId);
    if (record === undefined)
      throw new AppError('NOT_FOUND', 'This host is not in the inventory (it may have been removed). Refresh the hosts list.', { hostId });
    return record;
  }

  private async summarize(record: HostRecord): Promise<HostSummary> {
    const secrets = this.options.secrets;
    const [hasPassword, hasPassphrase, hasPrivateKey, hasSudoPassword] = await Promise.all([
      secrets.has(hostSecretKey(record.id, 'password')),
      secrets.has(hostSecretKey(record.id, 'passphrase')),
      secrets.has(hostSecretKey(record.id, 'privateKey')),
      secrets.has(hostSecretKey(record.id, 'sudoPassword')),
    ]);
    // A broken host-key store must not hide the inventory: the summary just shows no key.
    const hostKey = await this.knownHosts.get(record.id).catch(() => undefined);
    const summary: HostSummary = {
      id: record.id,
      name: record.name,
      address: record.address,
      port: record.port,
      user: record.user,
      os: record.os,
      auth: record.auth.keyPath === undefined ? { kind: record.auth.kind } : { kind: record.auth.kind, keyPath: record.auth.keyPath },
      hasPassword,
      hasPassphrase,
      hasPrivateKey,
      hasSudoPassword,
      storagePath: record.storagePath,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
    if (record.jumpHostId !== undefined) summary.jumpHostId = record.jumpHostId;
    if (hostKey !== undefined) summary.hostKey = hostKey;
    return summary;
  }

  /** Close a host's connection and every connection tunnelled through it. */
  private dropConnection(hostId: string): void {
    this.connections.get(hostId)?.close();
    this.connections.delete(hostId);
    this.jumpOf.delete(hostId);
    for (const [dependent, jump] of [...this.jumpOf]) if (jump === hostId) this.dropConnection(dependent);
  }

  private async fireHosts(): Promise<void> {
    this.hostsEmitter.fire(await this.list());
  }
}
