import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
// Default import: ssh2 is CommonJS, and Node's ESM loader does not see `utils` as a named export
// (built browser mode stopped at start with "Named export 'utils' not found"; vitest hid it).
import ssh2, { type Client, type ClientChannel, type ConnectConfig, type PseudoTtyOptions, type SFTPWrapper } from 'ssh2';
import type { ConnectionState, ConnectionStateChange } from '../../shared/contract/hosts';
import { AppError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { Event } from '../../shared/event';
import { sshFingerprint, sshKeyType } from './host-key';
import type { KnownHostKey } from './known-hosts-store';
import { createSshClient } from './ssh-client-factory';
import type { SshClientFactory } from './ssh-client-factory';
import { connectError, forwardOutError, privateKeyError, unresolvedNameCodes, unresolvedNameError } from './ssh-errors';
import { execOnChannel, openChannelError } from './channel-exec';
import type { ExecOptions, ExecResult, CommandExecutor } from './channel-exec';
import type { HostKeyRejection, SshErrorContext } from './ssh-errors';

/** Where to connect. */
export interface SshEndpoint {
  host: string;
  port: number;
  username: string;
}

/** Credentials, resolved just before each connect so secrets stay in the store in between. */
export type SshCredentials =
  | { kind: 'agent'; socketPath: string }
  | { kind: 'privateKey'; privateKey: string; passphrase?: string }
  | { kind: 'password'; password: string };

/** Options for {@link SshConnection}. */
export interface SshConnectionOptions {
  /** The inventory id, echoed in error details and events. */
  hostId: string;
  endpoint: SshEndpoint;
  credentials: () => Promise<SshCredentials>;
  /** The accepted key; undefined = first contact. Read before every connect (fail closed). */
  expectedHostKey: () => Promise<KnownHostKey | undefined>;
  createClient?: SshClientFactory;
  /** Resolves the host name before anything else (default: the system resolver, as ssh2 uses). */
  lookup?: (host: string) => Promise<unknown>;
  /** A connected jump host: the TCP stream to `endpoint` is opened through it. */
  via?: SshConnection;
  /** Handshake + authentication limit. Default 15 s. */
  readyTimeoutMs?: number;
  /** SSH keepalive period; a silent peer is dropped after keepaliveCountMax misses. Default 10 s. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Automatic reconnect after a drop of an established connection; false disables it. */
  reconnect?: { initialDelayMs: number; maxDelayMs: number } | false;
}

export type { CommandExecutor, ExecOptions, ExecResult } from './channel-exec';

export type { ConnectionState, ConnectionStateChange } from '../../shared/contract/hosts';

const nonRetriable = new Set(['SSH_AUTH_FAILED', 'HOST_KEY_UNKNOWN', 'HOST_KEY_CHANGED', 'HOST_KEY_STORE_CORRUPT']);

/**
 * One SSH connection to one host, shared by every command and channel for that host
 * (opening a connection costs a TCP + key exchange + auth round trip; a channel costs one).
 * Connects lazily, verifies the host key against the accepted one before authenticating, and
 * after a drop reconnects in the background with capped exponential backoff.
 */
export class SshConnection implements CommandExecutor {
  private readonly stateEmitter = new Emitter<ConnectionStateChange>();
  private readonly dropEmitter = new Emitter<void>();
  /** Fires on every state change. */
  readonly onDidChangeState: Event<ConnectionStateChange> = this.stateEmitter.event;

  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private stateValue: ConnectionState = 'idle';
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly context: SshErrorContext;

  constructor(private readonly options: SshConnectionOptions) {
    this.context = { hostId: options.hostId, ...options.endpoint };
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Connect now (or join the attempt in flight). Throws the typed error of a failed attempt. */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.ready(signal);
  }

  /**
   * Run one command line on a new channel of the shared connection. The line must have been built
   * with buildCommand() or be a constant; user text goes in argv or over stdin, never pasted.
   */
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const client = await this.ready(options.signal);
    return execOnChannel(client, command, options, {
      context: this.context,
      onDidDrop: this.dropEmitter.event,
      isCurrent: () => this.client === client,
    });
  }

  /** Open an interactive shell channel (for the SSH terminal tab). */
  async shell(pty: PseudoTtyOptions, signal?: AbortSignal): Promise<ClientChannel> {
    const client = await this.ready(signal);
    return new Promise((resolve, reject) => {
      client.shell(pty, (error, channel) => (error === undefined ? resolve(channel) : reject(openChannelError(error, this.context))));
    });
  }

  /** An SFTP session on the shared connection (offline bundle copies); the caller ends it. */
  async sftp(signal?: AbortSignal): Promise<SFTPWrapper> {
    const client = await this.ready(signal);
    return new Promise((resolve, reject) => {
      client.sftp((error, sftp) => (error === undefined ? resolve(sftp) : reject(openChannelError(error, this.context))));
    });
  }

  /** A TCP stream to host:port opened from this host (jump hosts, port forwards). */
  async forwardOut(host: string, port: number, signal?: AbortSignal): Promise<ClientChannel> {
    const client = await this.ready(signal);
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (error, channel) =>
        error === undefined ? resolve(channel) : reject(forwardOutError(error, this.context, `${host}:${port}`)),
      );
    });
  }

  /** Close the connection for good: no reconnect, running commands fail with SSH_DISCONNECTED. */
  close(): void {
    this.clearReconnect();
    const client = this.client;
    this.client = undefined;
    this.setState('closed');
    if (client !== undefined) {
      this.dropEmitter.fire();
      client.end();
    }
  }

  private async ready(signal?: AbortSignal): Promise<Client> {
    if (this.stateValue === 'closed') {
      throw new AppError('SSH_DISCONNECTED', `The connection to ${this.context.host} was closed. Reconnect the host.`, {
        hostId: this.context.hostId,
      });
    }
    if (this.client !== undefined) return this.client;
    if (this.connecting === undefined) {
      const reconnecting = this.stateValue === 'reconnecting';
      if (!reconnecting) this.setState('connecting');
      this.connecting = this.open().then(
        (client) => {
          this.connecting = undefined;
          this.client = client;
          this.clearReconnect();
          this.reconnectAttempt = 0;
          this.setState('ready');
          return client;
        },
        (error: unknown) => {
          this.connecting = undefined;
          const appError = AppError.from(error);
          if (this.stateValue !== 'closed' && !reconnecting) this.setState('idle', appError);
          throw appError;
        },
      );
    }
    return abortable(this.connecting, signal);
  }

  private async open(): Promise<Client> {
    // A name that does not resolve is the first thing to say, before credentials (an ssh-agent
    // that is not running would otherwise be reported for a typo in the host name). A jump host
    // resolves the name on its side.
    if (this.options.via === undefined && isIP(this.context.host) === 0) {
      await (this.options.lookup ?? lookup)(this.context.host).catch((error: unknown) => {
        const code = (error as { code?: unknown } | null)?.code;
        throw unresolvedNameCodes.has(String(code)) ? unresolvedNameError(this.context, String(code)) : connectError(error, this.context);
      });
    }
    const expected = await this.options.expectedHostKey();
    const credentials = await this.options.credentials();
    // ssh2 would throw for it inside connect with only a message to tell why: parse it first.
    if (credentials.kind === 'privateKey' && ssh2.utils.parseKey(credentials.privateKey, credentials.passphrase) instanceof Error) {
      throw privateKeyError(this.context);
    }
    const sock = this.options.via === undefined ? undefined : await this.options.via.forwardOut(this.context.host, this.context.port);
    const client = (this.options.createClient ?? createSshClient)();
    let rejection: HostKeyRejection | undefined;
    const config: ConnectConfig = {
      host: this.context.host,
      port: this.context.port,
      username: this.context.username,
      readyTimeout: this.options.readyTimeoutMs ?? 15_000,
      keepaliveInterval: this.options.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: this.options.keepaliveCountMax ?? 3,
      // Never forward the user's agent: whoever is root on a lab host could use it to sign in elsewhere.
      agentForward: false,
      // Verification runs before authentication: on an unknown or changed key no credential is
      // offered and nothing runs.
      hostVerifier: (key: Buffer): boolean => {
        const fingerprint = sshFingerprint(key);
        const keyType = sshKeyType(key);
        if (expected === undefined) rejection = { kind: 'unknown', keyType, fingerprint };
        else if (expected.fingerprint !== fingerprint) {
          rejection = { kind: 'changed', keyType, expected: expected.fingerprint, presented: fingerprint };
        }
        return rejection === undefined;
      },
      ...credentialConfig(credentials),
    };
    if (sock !== undefined) config.sock = sock;
    return new Promise<Client>((resolve, reject) => {
      let done = false;
      const fail = (error: unknown): void => {
        if (done) return;
        done = true;
        client.removeAllListeners('ready');
        client.on('error', () => undefined);
        client.end();
        reject(connectError(error, this.context, rejection));
      };
      client.once('error', fail);
      client.once('close', () => fail(new Error('the connection closed before it was ready')));
      client.once('ready', () => {
        if (done) return;
        done = true;
        client.removeAllListeners('error');
        client.removeAllListeners('close');
        // After ready, errors (keepalive timeout, reset) are followed by 'close', handled there.
        client.on('error', () => undefined);
        client.once('close', () => this.onClosed(client));
        resolve(client);
      });
      try {
        client.connect(config);
        // ssh2 leaves Nagle on; small request/response exchanges then wait for delayed ACKs
        // (~40 ms per command on Linux). OpenSSH sets TCP_NODELAY for sessions too.
        client.setNoDelay(true);
      } catch (error) {
        // ssh2 throws synchronously for a configuration it refuses (a key is checked before).
        fail(error);
      }
    });
  }

  private onClosed(client: Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.dropEmitter.fire();
    if (this.stateValue === 'closed') return;
    const dropped = new AppError('SSH_DISCONNECTED', `The SSH connection to ${this.context.host}:${this.context.port} dropped.`);
    if (this.options.reconnect === false) {
      this.setState('idle', dropped);
      return;
    }
    this.scheduleReconnect(dropped);
  }

  private scheduleReconnect(reason: AppError): void {
    const policy = this.options.reconnect === false ? undefined : (this.options.reconnect ?? { initialDelayMs: 500, maxDelayMs: 30_000 });
    if (policy === undefined) return;
    const delay = Math.min(policy.initialDelayMs * 2 ** this.reconnectAttempt, policy.maxDelayMs);
    this.reconnectAttempt += 1;
    this.setState('reconnecting', reason, delay);
    this.clearReconnect();
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.ready().then(
        () => undefined,
        (error: unknown) => {
          const appError = AppError.from(error);
          if (this.stateValue !== 'reconnecting') return;
          // A refused key or credentials will not fix themselves: stop and let the user act.
          if (nonRetriable.has(appError.code)) this.setState('idle', appError);
          else this.scheduleReconnect(appError);
        },
      );
    }, delay);
    // A pending reconnect must not keep a CLI or test process alive.
    this.reconnectTimer.unref();
  }

  private clearReconnect(): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private setState(state: ConnectionState, error?: AppError, retryInMs?: number): void {
    this.stateValue = state;
    const change: ConnectionStateChange = { hostId: this.context.hostId, state };
    if (error !== undefined) change.error = { code: error.code, message: error.message };
    if (retryInMs !== undefined) change.retryInMs = retryInMs;
    try {
      this.stateEmitter.fire(change);
    } catch {
      // A listener's failure (say, a closed transport) must not break the connection's own flow.
    }
  }
}

function credentialConfig(credentials: SshCredentials): Partial<ConnectConfig> {
  switch (credentials.kind) {
    case 'agent':
      return { agent: credentials.socketPath };
    case 'privateKey':
      return credentials.passphrase === undefined
        ? { privateKey: credentials.privateKey }
        : { privateKey: credentials.privateKey, passphrase: credentials.passphrase };
    case 'password':
      // Keyboard-interactive stays off: a password prompt from the host is answered only by
      // the password method, so the secret is never typed into an arbitrary prompt.
      return { password: credentials.password, tryKeyboard: false };
  }
}

async function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) throw new AppError('CANCELLED', 'The connection attempt was cancelled.');
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new AppError('CANCELLED', 'The connection attempt was cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(AppError.from(error));
      },
    );
  });
}
