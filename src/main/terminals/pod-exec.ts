import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { PassThrough, Writable } from 'node:stream';
import WebSocket from 'ws';
import type { PodContainers, TerminalExit, TerminalSize } from '../../shared/contract/terminals';
import { AppError } from '../../shared/errors';
import { channelSockets, type ChannelSocketFactory } from '../kube/channel-socket';
import type { TerminalProcess } from './terminal-process';

/** Where to exec. */
export interface PodExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

/** Creates the WebSocket for an exec request; tests wrap it to see the request. */
export type ExecSocketFactory = ChannelSocketFactory;

/**
 * Shells to try, in order. Linux: sh, which hands over to bash when the image has it. Windows
 * images have no sh: PowerShell, then cmd (nanoserver has only cmd).
 */
export function shellCandidates(os: PodContainers['os']): string[][] {
  if (os === 'windows') return [['powershell.exe'], ['cmd.exe']];
  return [['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi']];
}

/** The exit status in an exec Status object: Success -> 0, NonZeroExitCode -> its code. */
export function exitFromStatus(status: V1Status): TerminalExit {
  if (status.status === 'Success') return { exitCode: 0 };
  const code = status.details?.causes?.find((cause) => cause.reason === 'ExitCode')?.message;
  if (status.reason === 'NonZeroExitCode' && code !== undefined && /^\d+$/.test(code)) return { exitCode: Number(code) };
  return {
    exitCode: null,
    error: new AppError('PROGRAM_FAILED', status.message ?? 'The command could not be started in the container.').toJSON(),
  };
}

/** xterm-sized stdout: client-node's Exec sends its size, and every 'resize', on the resize channel. */
class ResizableOutput extends Writable {
  columns: number;
  rows: number;

  constructor(
    size: TerminalSize,
    private readonly sink: (chunk: Buffer) => void,
  ) {
    super();
    this.columns = size.cols;
    this.rows = size.rows;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.sink(chunk);
    callback();
  }

  setSize(size: TerminalSize): void {
    this.columns = size.cols;
    this.rows = size.rows;
    this.emit('resize');
  }
}

/** Options for {@link PodExec.start}. */
export interface PodExecOptions {
  kubeconfig: KubeConfig;
  target: PodExecTarget;
  commands: string[][];
  size: TerminalSize;
  socketFactory?: ExecSocketFactory;
}

/** An interactive exec session (tty, stdin) in a container, over the Kubernetes exec API. */
export class PodExec implements TerminalProcess {
  private readonly dataListeners: ((chunk: Buffer) => void)[] = [];
  private readonly exitListeners: ((exit: TerminalExit) => void)[] = [];
  private socket: WebSocket | undefined;
  private stdin = new PassThrough();
  private output: ResizableOutput | undefined;
  private exited = false;
  private readonly done: Promise<void>;
  private resolveDone!: () => void;
  /** The command that is running. */
  command: string[] = [];

  private constructor(private readonly options: PodExecOptions) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Starts the first command that the container can run. Failures end the session with exit.error. */
  static start(options: PodExecOptions): PodExec {
    const exec = new PodExec(options);
    void exec.attempt(0);
    return exec;
  }

  private async attempt(index: number): Promise<void> {
    const command = this.options.commands[index]!;
    this.command = command;
    let sawOutput = false;
    let status: V1Status | undefined;
    this.stdin = new PassThrough();
    const output = new ResizableOutput(this.output ? { cols: this.output.columns, rows: this.output.rows } : this.options.size, (chunk) => {
      sawOutput = true;
      for (const listener of this.dataListeners) listener(chunk);
    });
    this.output = output;
    const sockets = channelSockets(this.options.kubeconfig, this.options.socketFactory);
    const { namespace, pod, container } = this.options.target;
    let socket: WebSocket;
    try {
      socket = await new Exec(this.options.kubeconfig, sockets).exec(
        namespace,
        pod,
        container,
        command,
        output,
        null,
        this.stdin,
        true,
        (value) => {
          status = value;
        },
      );
    } catch (error) {
      this.finish({ exitCode: null, error: execError(error, this.options.target).toJSON() });
      return;
    }
    this.socket = socket;
    if (this.exited) {
      socket.close();
      return;
    }
    socket.on('close', () => {
      if (this.socket !== socket) return;
      const exit = status ? exitFromStatus(status) : undefined;
      const next = index + 1;
      if (exit?.error !== undefined && !sawOutput && next < this.options.commands.length && !this.exited) {
        void this.attempt(next);
        return;
      }
      this.finish(
        exit ?? {
          exitCode: null,
          error: new AppError('SSH_DISCONNECTED', `The exec connection to ${namespace}/${pod} closed without an exit status.`).toJSON(),
        },
      );
    });
  }

  private finish(exit: TerminalExit): void {
    if (this.exited) return;
    this.exited = true;
    for (const listener of this.exitListeners) listener(exit);
    this.resolveDone();
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.dataListeners.push(listener);
  }

  onExit(listener: (exit: TerminalExit) => void): void {
    this.exitListeners.push(listener);
  }

  write(data: string): void {
    this.stdin.write(data);
  }

  resize(size: TerminalSize): void {
    this.output?.setSize(size);
  }

  pause(): void {
    this.socket?.pause();
  }

  resume(): void {
    this.socket?.resume();
  }

  async kill(): Promise<void> {
    this.killNow();
    await this.done;
  }

  killNow(): void {
    if (this.socket === undefined || this.socket.readyState === WebSocket.CLOSED) {
      this.finish({ exitCode: null, signal: 'SIGHUP' });
      return;
    }
    this.socket.resume();
    this.socket.close();
  }
}

/** A failed start as the tab shows it: the access layer's code and diagnosis, with where it was. */
function execError(error: unknown, target: PodExecTarget): AppError {
  const where = `${target.namespace}/${target.pod} (container ${target.container})`;
  const mapped = AppError.from(error);
  return new AppError(mapped.code, `Could not exec into ${where}: ${mapped.message}`, mapped.details);
}
