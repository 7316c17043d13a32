import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChannelSocket, TerminalSize } from './channel-socket.js';
import { resolveCommand } from './exec-command.js';
import { exitCodeOf, exitCodeStatus, internalErrorStatus, successStatus } from './exec-status.js';
import type { ContainerProcess, ProcessExit } from './container-process.js';
import { startContainerProcess } from './container-process.js';
import { containerKey, matches } from './kubelet-pods.js';
import type { ContainerFilter, ContainerRef, KubeletNode } from './kubelet-pods.js';

/** What a test can see about one exec or attach connection to a simulated kubelet. */
export interface ExecRecord extends ContainerRef {
  id: number;
  kind: 'exec' | 'attach';
  node: string;
  /** The command as requested (e.g. `powershell.exe` on a Windows pod); empty for attach. */
  command: string[];
  /** What actually ran on the test machine (bash for PowerShell, the container's shell for attach). */
  argv: string[];
  tty: boolean;
  /** Negotiated subprotocol, e.g. v5.channel.k8s.io. */
  protocol: string;
  /** PID of the real process (the shared shell for attach); undefined when it could not start. */
  pid?: number;
  running: boolean;
  /** Set once the process ended. */
  exitCode?: number;
  /** Terminal sizes received on the resize channel, in order. */
  resizes: TerminalSize[];
  /** Why the command could not start, as sent in the status. */
  error?: string;
  /** True once the client closed the connection. */
  clientClosed: boolean;
}

/** Flags of an exec or attach request: kube-apiserver sends input/output/error/tty; stdin/stdout/stderr also accepted. */
export interface StreamFlags {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export function streamFlags(params: URLSearchParams): StreamFlags {
  const flag = (...names: string[]): boolean => names.some((name) => ['1', 'true'].includes(params.get(name) ?? ''));
  return {
    stdin: flag('input', 'stdin'),
    stdout: flag('output', 'stdout'),
    stderr: flag('error', 'stderr'),
    tty: flag('tty'),
  };
}

/** How long a tty exec waits for the client's first size before starting at 80x24 (kubectl sends it at once). */
const INITIAL_SIZE_WAIT_MS = 250;

interface AttachShell {
  process: ContainerProcess;
  argv: string[];
  clients: Set<ChannelSocket>;
  records: ExecRecord[];
}

/**
 * The simulated kubelets' exec and attach: each exec runs a REAL process on the test machine (a
 * pty with tty=1, pipes without) in a per-container folder that stands in for the container's
 * filesystem (cwd and HOME). Attach joins a long-running shell per container. Closing the
 * connection kills the exec's process group.
 */
export class ExecSessions {
  private readonly records: ExecRecord[] = [];
  private readonly processes = new Map<number, ContainerProcess>();
  private readonly shells = new Map<string, AttachShell>();
  private nextId = 1;

  constructor(private readonly rootDir: string) {}

  /** The folder standing in for a container's filesystem (created on first use). */
  containerDir(node: string, ref: ContainerRef): string {
    const dir = join(this.rootDir, node, `${ref.namespace}_${ref.pod}`, ref.container);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  list(filter?: ContainerFilter): ExecRecord[] {
    return this.records.filter((record) => matches(filter, record)).map((record) => ({ ...record, resizes: [...record.resizes] }));
  }

  exec(socket: ChannelSocket, node: KubeletNode, ref: ContainerRef, command: string[], flags: StreamFlags): void {
    const resolved = resolveCommand(node.os, command);
    const record = this.record('exec', socket, node, ref, command, resolved.argv ?? [], flags.tty);
    socket.onClose(() => (record.clientClosed = true));
    if (resolved.error !== undefined) {
      record.error = resolved.error;
      record.running = false;
      socket.finish(internalErrorStatus(resolved.error));
      return;
    }
    const argv = resolved.argv;
    const pendingInput: Buffer[] = [];
    let inputEnded = false;
    let child: ContainerProcess | undefined;
    let timer: NodeJS.Timeout | undefined;
    socket.onStdin((data) => {
      if (!flags.stdin) return;
      if (child === undefined) pendingInput.push(data);
      else child.write(data);
    });
    socket.onStdinEnd(() => {
      inputEnded = true;
      child?.endInput();
    });
    socket.onResize((size) => {
      record.resizes.push(size);
      if (child === undefined && timer !== undefined) {
        clearTimeout(timer);
        start(size);
      } else {
        child?.resize(size);
      }
    });
    socket.onClose(() => {
      if (timer !== undefined) clearTimeout(timer);
      if (child?.running === true) child.kill();
    });

    const start = (size: TerminalSize): void => {
      timer = undefined;
      if (!socket.open) return;
      const dir = this.containerDir(node.name, ref);
      child = startContainerProcess(argv, { cwd: dir, env: containerEnv(ref, dir, flags.tty), tty: flags.tty, size });
      const running = child;
      record.pid = running.pid;
      this.processes.set(record.id, running);
      socket.onBackpressure = (pause) => (pause ? running.pause() : running.resume());
      running.onOutput((channel, data) => {
        if (channel === 1 ? flags.stdout : flags.stderr) socket.send(channel, data);
      });
      running.onExit((exit) => {
        this.processes.delete(record.id);
        this.ended(record, exit);
        socket.finish(record.exitCode === 0 ? successStatus() : exitCodeStatus(record.exitCode ?? 1, command));
      });
      for (const data of pendingInput.splice(0)) running.write(data);
      if (inputEnded || (!flags.stdin && !flags.tty)) running.endInput();
    };
    if (flags.tty) timer = setTimeout(() => start({ cols: 80, rows: 24 }), INITIAL_SIZE_WAIT_MS);
    else start({ cols: 80, rows: 24 });
  }

  /** Attaches to the container's long-running shell (started on first attach, shared by all clients). */
  attach(socket: ChannelSocket, node: KubeletNode, ref: ContainerRef, flags: StreamFlags): void {
    const shell = this.shellFor(node, ref);
    const record = this.record('attach', socket, node, ref, [], shell.argv, flags.tty);
    record.pid = shell.process.pid;
    shell.clients.add(socket);
    shell.records.push(record);
    socket.onStdin((data) => {
      if (flags.stdin) shell.process.write(data);
    });
    socket.onResize((size) => {
      record.resizes.push(size);
      shell.process.resize(size);
    });
    socket.onClose(() => {
      record.clientClosed = true;
      record.running = false;
      shell.clients.delete(socket);
    });
  }

  /** Kills every process (exec and attach shells) at once: the agent is stopping. */
  killAll(): void {
    for (const process of this.processes.values()) process.kill({ now: true });
    for (const shell of this.shells.values()) shell.process.kill({ now: true });
  }

  private shellFor(node: KubeletNode, ref: ContainerRef): AttachShell {
    const key = `${node.name}/${containerKey(ref)}`;
    const existing = this.shells.get(key);
    if (existing !== undefined) return existing;
    const argv = resolveCommand('linux', ['bash']).argv ?? ['/bin/sh'];
    const dir = this.containerDir(node.name, ref);
    const process = startContainerProcess(argv, { cwd: dir, env: containerEnv(ref, dir, true), tty: true, size: { cols: 80, rows: 24 } });
    const shell: AttachShell = { process, argv, clients: new Set(), records: [] };
    this.shells.set(key, shell);
    process.onOutput((_channel, data) => {
      for (const client of shell.clients) client.send(1, data);
    });
    process.onExit((exit) => {
      this.shells.delete(key);
      for (const record of shell.records) this.ended(record, exit);
      const code = exitCodeOf(exit.code, exit.signal);
      for (const client of shell.clients) client.finish(code === 0 ? successStatus() : exitCodeStatus(code, argv));
    });
    return shell;
  }

  private record(
    kind: ExecRecord['kind'],
    socket: ChannelSocket,
    node: KubeletNode,
    ref: ContainerRef,
    command: string[],
    argv: string[],
    tty: boolean,
  ): ExecRecord {
    const record: ExecRecord = {
      id: this.nextId++,
      kind,
      node: node.name,
      ...ref,
      command,
      argv,
      tty,
      protocol: socket.protocol,
      running: true,
      resizes: [],
      clientClosed: false,
    };
    this.records.push(record);
    return record;
  }

  private ended(record: ExecRecord, exit: ProcessExit): void {
    record.running = false;
    record.exitCode = exitCodeOf(exit.code, exit.signal);
  }
}

/** Environment of a process in a simulated container: the machine's PATH, HOME in the container folder. */
function containerEnv(ref: ContainerRef, dir: string, tty: boolean): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: dir,
    HOSTNAME: ref.pod,
    LANG: 'C.UTF-8',
    ...(tty ? { TERM: 'xterm' } : {}),
    NESTLAB_SIMULATED_CONTAINER: containerKey(ref),
  };
}
