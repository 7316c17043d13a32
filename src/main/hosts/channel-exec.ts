import type { Client, ClientChannel } from 'ssh2';
import { AppError } from '../../shared/errors';
import type { Event } from '../../shared/event';
import { disconnectedError } from './ssh-errors';
import type { SshErrorContext } from './ssh-errors';

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

/** What a command needs to know about the connection it runs on. */
export interface ChannelHost {
  context: SshErrorContext;
  /** Fires when the connection drops or is closed. */
  onDidDrop: Event<void>;
  /** Whether `client` is still the connection's live client. */
  isCurrent(): boolean;
}

/**
 * Run one command on a new exec channel of `client`: collect stdout/stderr, honour the timeout,
 * the abort signal and the output limit (each stops the remote command), and turn a drop of the
 * connection into SSH_DISCONNECTED.
 */
export function execOnChannel(client: Client, command: string, options: ExecOptions, host: ChannelHost): Promise<ExecResult> {
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
                `A command on ${host.context.host} ran longer than ${options.timeoutMs} ms and was stopped. Check the host's load, or retry.`,
                {
                  hostId: host.context.hostId,
                  timeoutMs: options.timeoutMs,
                },
              ),
            );
          }, options.timeoutMs);
    const onAbort = (): void => finish(new AppError('CANCELLED', 'The command was cancelled.', { hostId: host.context.hostId }));
    const dropSubscription = host.onDidDrop(() => finish(disconnectedError(host.context, 'a command')));
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
    // ssh2 throws 'Not connected' synchronously when the socket died (an RST) before its 'close'
    // event reached the connection: that is a dropped link, not an internal error.
    const openExec = (callback: Parameters<Client['exec']>[1]): void => {
      try {
        client.exec(command, callback);
      } catch {
        finish(disconnectedError(host.context, 'a command'));
      }
    };
    openExec((error, opened) => {
      if (error !== undefined) {
        finish(host.isCurrent() ? openChannelError(error, host.context) : disconnectedError(host.context, 'a command'));
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
            new AppError('PROGRAM_FAILED', `A command on ${host.context.host} printed more than ${limit} bytes and was stopped.`, {
              hostId: host.context.hostId,
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

function stopChannel(channel: ClientChannel): void {
  // OpenSSH honours the "signal" request (since 7.9); close() then releases the channel either way.
  try {
    channel.signal('KILL');
  } catch {
    // The channel may already be closing.
  }
  channel.close();
}

export function openChannelError(error: Error, context: SshErrorContext): AppError {
  return new AppError(
    'PROGRAM_FAILED',
    `${context.host} refused to open an SSH channel: ${error.message}. The server may limit sessions (MaxSessions).`,
    {
      hostId: context.hostId,
    },
  );
}
