import type { Client, ClientChannel, ConnectConfig, PseudoTtyOptions } from 'ssh2';
import { AppError } from '../../shared/errors';
import { Emitter } from '../../shared/event';
import type { Event } from '../../shared/event';
import { sshFingerprint, sshKeyType } from './host-key';
import type { KnownHostKey } from './known-hosts-store';
import { createSshClient } from './ssh-client-factory';
import type { SshClientFactory } from './ssh-client-factory';
import { connectError, disconnectedError } from './ssh-errors';
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

/** Connection lifecycle, as shown in the hosts view. */
export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** Payload of {@link SshConnection.onDidChangeState}: plain JSON. */
export interface ConnectionStateChange {
  hostId: string;
  state: ConnectionState;
  /** Why the last attempt failed or the link dropped (no secrets). */
  error?: { code: string; message: string };
  /** Delay before the next automatic attempt, when reconnecting. */
  retryInMs?: number;
}

/** Options for one remote command. */
export interface ExecOptions {
  /** Sent to the command's stdin, then stdin is closed. */
  stdin?: string | Buffer;
  /** Kill the command and fail with TIMEOUT after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Stop the command and fail when stdout + stderr exceed this. Default 64 MiB. */
  maxOutputBytes?: number;
}

/** What a remote command produced. */
export interface ExecResult {
  /** Exit status; null when the command was ended by a signal. */
  exitCode: number | null;
  exitSignal?: string;
  stdout: string;
  stderr: string;
}

/** Anything that runs a remote command line (an SshConnection, or a test double). */
export interface CommandExecutor {
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
}

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
    return new Promise<ExecResult>((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let exitCode: number | null = null;
      let exitSignal: string | undefined;
      let channel: ClientChannel | undefined;
      let settled = false;
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              finish(
                new AppError(
                  'TIMEOUT',
                  `A command on ${this.context.host} ran longer than ${options.timeoutMs} ms and was stopped. Check the host's load, or retry.`,
                  {
                    hostId: this.context.hostId,
                    timeoutMs: options.timeoutMs,
                  },
                ),
              );
            }, options.timeoutMs);
      const onAbort = (): void => finish(new AppError('CANCELLED', 'The command was cancelled.', { hostId: this.context.hostId }));
      const dropSubscription = this.dropEmitter.event(() => finish(disconnectedError(this.context, 'a command')));
      const finish = (error?: AppError): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        dropSubscription.dispose();
        if (error === undefined) {
          const result: ExecResult = {
            exitCode,
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
          };
          if (exitSignal !== undefined) result.exitSignal = exitSignal;
          resolve(result);
          return;
        }
        if (channel !== undefined) stopChannel(channel);
        reject(error);
      };
      if (options.signal?.aborted === true) {
        onAbort();
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      client.exec(command, (error, opened) => {
        if (error !== undefined) {
          finish(this.client === client ? channelError(error, this.context) : disconnectedError(this.context, 'a command'));
          return;
        }
        if (settled) {
          stopChannel(opened);
          return;
        }
        channel = opened;
        const limit = options.maxOutputBytes ?? 64 * 1024 * 1024;
        let received = 0;
        const collect = (into: Buffer[]) => (chunk: Buffer) => {
          received += chunk.length;
          if (received <= limit) into.push(chunk);
          else {
            finish(
              new AppError('PROGRAM_FAILED', `A command on ${this.context.host} printed more than ${limit} bytes and was stopped.`, {
                hostId: this.context.hostId,
                maxOutputBytes: limit,
              }),
            );
          }
        };
        opened.on('data', collect(stdout));
        opened.stderr.on('data', collect(stderr));
        opened.on('exit', (code: number | null, signalName?: string) => {
          exitCode = typeof code === 'number' ? code : null;
          if (typeof signalName === 'string') exitSignal = signalName;
        });
        opened.on('close', () => finish());
        opened.on('error', () => undefined);
        opened.end(options.stdin);
      });
    });
  }

  /** Open an interactive shell channel (for the SSH terminal tab). */
  async shell(pty: PseudoTtyOptions, signal?: AbortSignal): Promise<ClientChannel> {
    const client = await this.ready(signal);
    return new Promise((resolve, reject) => {
      client.shell(pty, (error, channel) => (error === undefined ? resolve(channel) : reject(channelError(error, this.context))));
    });
  }

  /** A TCP stream to host:port opened from this host (jump hosts, port forwards). */
  async forwardOut(host: string, port: number, signal?: AbortSignal): Promise<ClientChannel> {
    const client = await this.ready(signal);
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (error, channel) =>
        error === undefined ? resolve(channel) : reject(channelError(error, this.context)),
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
    const expected = await this.options.expectedHostKey();
    const credentials = await this.options.credentials();
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
        // ssh2 throws synchronously for a key it cannot parse (wrong passphrase, not a key).
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

function stopChannel(channel: ClientChannel): void {
  // OpenSSH honours the "signal" request (since 7.9); close() then releases the channel either way.
  try {
    channel.signal('KILL');
  } catch {
    // The channel may already be closing.
  }
  channel.close();
}

function channelError(error: Error, context: SshErrorContext): AppError {
  return new AppError(
    'PROGRAM_FAILED',
    `${context.host} refused to open an SSH channel: ${error.message}. The server may limit sessions (MaxSessions).`,
    {
      hostId: context.hostId,
    },
  );
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
