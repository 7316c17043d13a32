import { KubeConfig } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { homedir, userInfo } from 'node:os';
import { delimiter, dirname } from 'node:path';
import type { KubectlStatus } from '../../shared/contract/system';
import type {
  PodContainers,
  TerminalExit,
  TerminalInfo,
  TerminalOutput,
  TerminalResumed,
  TerminalResumePoint,
  TerminalSize,
  TerminalsService as TerminalsContract,
  TerminalTarget,
} from '../../shared/contract/terminals';
import { AppError } from '../../shared/errors';
import { Emitter, type Event } from '../../shared/event';
import { ApiDiscovery } from '../kube/discovery';
import { createKubeApi } from '../kube/kube-api';
import type { KubectlChoice, ServerVersionAnswer } from '../kubectl/kubectl-shelf';
import {
  cleanStaleKubeconfigs,
  writePrivateKubeconfig,
  type ContextKubeconfigProvider,
  type PrivateKubeconfig,
} from './context-kubeconfig';
import { FlowControl } from './flow-control';
import { LocalShell, userShell } from './local-shell';
import { OutputBatcher } from './output-batcher';
import { PodExec, shellCandidates, type ExecSocketFactory } from './pod-exec';
import { defaultReplayBytes, lostOutputNotice, ReplayBuffer } from './replay-buffer';
import { spawnPty as defaultSpawnPty, type SpawnPty } from './spawn-pty';
import { ptyRequest, SshShell, type SshShellProvider } from './ssh-shell';
import type { TerminalProcess } from './terminal-process';

/** What the terminals service is built from (the composition root wires these). */
export interface TerminalsServiceOptions {
  /** Finds the kubectl local shells put first on PATH (bundled, then PATH; never downloads). */
  locateKubectl: () => Promise<KubectlStatus>;
  /**
   * The kubectl for a context's server version (the kubectl shelf): shells bound to a context get
   * this one and its note instead of locateKubectl's. Without it, every shell gets locateKubectl's.
   */
  kubectlForServer?: (server: ServerVersionAnswer) => Promise<KubectlChoice>;
  /** Kubeconfigs of single contexts; without it, terminals bound to a context cannot open. */
  kubeconfigs?: ContextKubeconfigProvider;
  /** SSH shell channels on lab hosts' shared connections; without it, SSH tabs cannot open. */
  sshShells?: SshShellProvider;
  spawnPty?: SpawnPty;
  /** The program local tabs run; default the user's login shell. */
  shell?: { file: string; args: string[] };
  /** Environment of local shells; default the main process's. */
  env?: NodeJS.ProcessEnv;
  /** Where private kubeconfig folders go; default the OS temp folder. */
  tempDir?: string;
  execSocketFactory?: ExecSocketFactory;
  /**
   * Output batching: emit 5 ms after the first byte (`batchDelayMs`), or 25 ms while the client
   * is behind by more than 64 KiB (`busyBatchDelayMs`), or at 512 KiB (`batchMaxBytes`).
   */
  batchDelayMs?: number;
  busyBatchDelayMs?: number;
  batchMaxBytes?: number;
  /** Flow-control watermarks in unacknowledged bytes (default 4 MiB / 1 MiB). */
  highWatermark?: number;
  lowWatermark?: number;
  /** Recent output kept per terminal for clients that reconnect (default 1 MiB, see replay-buffer.ts). */
  replayBytes?: number;
}

/**
 * More unacknowledged output than this means the client is behind a stream (a screenful of
 * colourful output is some tens of KiB): batches may then wait longer. A keystroke's echo or a
 * redraw of a full-screen program stays below it and keeps the short delay.
 */
const clientBusyBytes = 64 * 1024;

/** A shell waits this long for its server's version before it opens with a warning instead. */
const SERVER_VERSION_TIMEOUT_MS = 5_000;

interface Session {
  info: TerminalInfo;
  process: TerminalProcess | undefined;
  batcher: OutputBatcher;
  flow: FlowControl;
  /** The last output batches, re-sent by resume(); its lastSeq is the session's seq. */
  replay: ReplayBuffer;
  kubeconfig?: PrivateKubeconfig;
  closing?: Promise<void>;
}

/** Embedded terminals; see {@link TerminalsContract}. Call dispose() on shutdown: it kills every session. */
export class TerminalsService implements TerminalsContract {
  private readonly outputEmitter = new Emitter<TerminalOutput>();
  private readonly exitEmitter = new Emitter<{ terminalId: string; exit: TerminalExit }>();
  readonly onDidOutput: Event<TerminalOutput> = this.outputEmitter.event;
  readonly onDidExit: Event<{ terminalId: string; exit: TerminalExit }> = this.exitEmitter.event;

  private readonly sessions = new Map<string, Session>();
  private readonly spawnPty: SpawnPty;
  private disposed = false;
  /** If the process exits without dispose() (a crash, process.exit), leave no shells behind. */
  private readonly onProcessExit = () => {
    for (const session of this.sessions.values()) session.process?.killNow();
  };

  constructor(private readonly options: TerminalsServiceOptions) {
    this.spawnPty = options.spawnPty ?? defaultSpawnPty;
    process.once('exit', this.onProcessExit);
    // Credentials in plain text that a crash left behind go at start.
    void cleanStaleKubeconfigs(options.tempDir).catch(() => undefined);
  }

  async open(target: TerminalTarget, size: TerminalSize): Promise<TerminalInfo> {
    if (this.disposed) throw new AppError('CANCELLED', 'Nestlab is shutting down.');
    switch (target.kind) {
      case 'local':
        return this.openLocal(target, size);
      case 'ssh':
        return this.openSsh(target, size);
      case 'pod':
        return this.openPod(target, size);
    }
  }

  list(): Promise<TerminalInfo[]> {
    return Promise.resolve([...this.sessions.values()].map((session) => session.info));
  }

  write(terminalId: string, data: string): Promise<void> {
    return settle(() => {
      const session = this.session(terminalId);
      if (session.info.state === 'running') session.process?.write(data);
    });
  }

  resize(terminalId: string, size: TerminalSize): Promise<void> {
    return settle(() => {
      const session = this.session(terminalId);
      if (session.info.state === 'running') session.process?.resize(size);
    });
  }

  acknowledge(terminalId: string, byteCount: number): Promise<void> {
    // Acknowledgements can cross a close in flight; a gone terminal needs none.
    this.sessions.get(terminalId)?.flow.acknowledge(byteCount);
    return Promise.resolve();
  }

  resume(terminalId: string, from: TerminalResumePoint): Promise<TerminalResumed> {
    return settle(() => {
      const session = this.session(terminalId);
      // What is still being batched has no seq yet: send it now so it is counted with the rest.
      session.batcher.flush();
      const missed = session.replay.from(from.afterSeq, from.receivedBytes);
      const notice = missed.lostBytes > 0 ? lostOutputNotice(missed.lostBytes) : undefined;
      // The client acknowledges the notice like output once it has written it.
      session.flow.reset(from.unacknowledgedBytes + (notice === undefined ? 0 : Buffer.byteLength(notice, 'utf8')));
      for (const batch of missed.batches) this.send(session, batch.seq, batch.data);
      return {
        replayedBatches: missed.batches.length,
        lostBytes: missed.lostBytes,
        lostThroughSeq: missed.lostThroughSeq,
        ...(notice === undefined ? {} : { notice }),
      };
    });
  }

  async close(terminalId: string): Promise<void> {
    const session = this.sessions.get(terminalId);
    if (session === undefined) return;
    await this.closeSession(session);
  }

  async podContainers(context: string, namespace: string, pod: string): Promise<PodContainers> {
    const api = createKubeApi(await this.kubeConfigFor(context));
    const enc = encodeURIComponent;
    interface PodObject {
      spec?: { containers?: { name: string }[]; nodeSelector?: Record<string, string>; nodeName?: string };
    }
    let found: PodObject;
    try {
      found = await api.getJson<PodObject>(`/api/v1/namespaces/${enc(namespace)}/pods/${enc(pod)}`);
    } catch (error) {
      // Only a missing pod is NOT_FOUND; a refusal or an unreachable server keeps its own code and diagnosis.
      const appError = AppError.from(error);
      if (appError.code !== 'NOT_FOUND') throw appError;
      throw new AppError('NOT_FOUND', `Pod ${namespace}/${pod} does not exist in context ${context}.`, { namespace, pod });
    }
    const containers = (found.spec?.containers ?? []).map((container) => container.name);
    let os = found.spec?.nodeSelector?.['kubernetes.io/os'];
    if (os === undefined && found.spec?.nodeName) {
      try {
        const node = await api.getJson<{ metadata?: { labels?: Record<string, string> } }>(`/api/v1/nodes/${enc(found.spec.nodeName)}`);
        os = node.metadata?.labels?.['kubernetes.io/os'];
      } catch {
        // Reading nodes may be forbidden; the OS stays unknown and Linux shells are tried.
      }
    }
    return { containers, os: os === 'linux' || os === 'windows' ? os : 'unknown' };
  }

  /** Kills every terminal and waits until they are gone. The composition root calls this on quit. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all([...this.sessions.values()].map((session) => this.closeSession(session)));
    process.removeListener('exit', this.onProcessExit);
    this.outputEmitter.dispose();
    this.exitEmitter.dispose();
  }

  private async openLocal(target: Extract<TerminalTarget, { kind: 'local' }>, size: TerminalSize): Promise<TerminalInfo> {
    const kubeconfig = target.context === undefined ? undefined : await this.privateKubeconfig(target.context);
    const { kubectl, note } = await this.kubectlFor(target.context).catch(async (error: unknown) => {
      await kubeconfig?.remove();
      throw error;
    });
    const baseEnv = this.options.env ?? process.env;
    const env: NodeJS.ProcessEnv = { ...baseEnv, TERM: 'xterm-256color', COLORTERM: 'truecolor', NESTLAB_TERMINAL: '1' };
    // Electron sets these for itself; a shell started from it must not inherit them.
    delete env.ELECTRON_RUN_AS_NODE;
    delete env.ELECTRON_NO_ATTACH_CONSOLE;
    if (kubeconfig !== undefined) env.KUBECONFIG = kubeconfig.path;
    if (kubectl.available) env.PATH = [dirname(kubectl.path), baseEnv.PATH ?? ''].filter(Boolean).join(delimiter);

    const shell = this.options.shell ?? { file: userShell(baseEnv, safeAccountShell()), args: [] };
    const title = target.context === undefined ? 'local shell' : `kubectl: ${target.context}`;
    const session = this.createSession({
      id: randomUUID(),
      target,
      title,
      kubectl,
      ...(note === undefined ? {} : { kubectlNote: note }),
      state: 'running',
    });
    if (kubeconfig !== undefined) session.kubeconfig = kubeconfig;
    if (!kubectl.available) {
      // Said once, in the tab; the shell still opens (and is never restarted in a loop).
      this.emitNotice(session, `Nestlab: kubectl is not available in this terminal. ${kubectl.reason}`);
    } else if (note?.tone === 'warning') {
      this.emitNotice(session, `Nestlab: ${note.text}`);
    }
    let shellProcess: LocalShell;
    try {
      shellProcess = new LocalShell(this.spawnPty, shell.file, shell.args, { cwd: baseEnv.HOME ?? homedir(), env, size });
    } catch (error) {
      await kubeconfig?.remove();
      this.sessions.delete(session.info.id);
      throw new AppError(
        'PROGRAM_MISSING',
        `The shell ${shell.file} could not be started: ${error instanceof Error ? error.message : String(error)}`,
        {
          file: shell.file,
        },
      );
    }
    this.attach(session, shellProcess);
    return session.info;
  }

  /** The context's kubectl from the shelf, by its server's version; the default one without a context. */
  private async kubectlFor(context: string | undefined): Promise<KubectlChoice> {
    const forServer = this.options.kubectlForServer;
    if (context === undefined || forServer === undefined) return { kubectl: await this.options.locateKubectl() };
    return forServer(await this.serverVersion(context));
  }

  private async serverVersion(context: string): Promise<ServerVersionAnswer> {
    try {
      const discovery = new ApiDiscovery(createKubeApi(await this.kubeConfigFor(context)));
      const { gitVersion, version } = await discovery.versionInfo(SERVER_VERSION_TIMEOUT_MS);
      if (version === undefined || gitVersion === undefined) return { problem: 'the server answered /version without a version' };
      return { gitVersion, ...version };
    } catch (error) {
      return { problem: AppError.from(error).message };
    }
  }

  private async openSsh(target: Extract<TerminalTarget, { kind: 'ssh' }>, size: TerminalSize): Promise<TerminalInfo> {
    if (this.options.sshShells === undefined) {
      throw new AppError('NOT_FOUND', 'SSH terminals need the lab hosts service, which this build does not have yet.');
    }
    const { name } = await this.options.sshShells.get(target.hostId);
    const channel = await this.options.sshShells.shell(target.hostId, ptyRequest(size));
    const session = this.createSession({ id: randomUUID(), target, title: `ssh: ${name}`, state: 'running' });
    this.attach(session, new SshShell(channel));
    return session.info;
  }

  private async openPod(target: Extract<TerminalTarget, { kind: 'pod' }>, size: TerminalSize): Promise<TerminalInfo> {
    const kubeconfig = await this.kubeConfigFor(target.context);
    let container = target.container;
    let os: PodContainers['os'] = 'unknown';
    if (container === undefined) {
      const found = await this.podContainers(target.context, target.namespace, target.pod);
      container = found.containers[0];
      os = found.os;
      if (container === undefined) throw new AppError('NOT_FOUND', `Pod ${target.namespace}/${target.pod} has no containers.`);
    }
    const commands = shellCandidates(os);
    const session = this.createSession({
      id: randomUUID(),
      target: { ...target, container },
      title: `pod: ${target.pod}/${container}`,
      command: commands[0]!,
      state: 'running',
    });
    const exec = PodExec.start({
      kubeconfig,
      target: { namespace: target.namespace, pod: target.pod, container },
      commands,
      size,
      ...(this.options.execSocketFactory ? { socketFactory: this.options.execSocketFactory } : {}),
    });
    this.attach(session, exec);
    return session.info;
  }

  private createSession(info: TerminalInfo): Session {
    const id = info.id;
    const session: Session = {
      info,
      process: undefined,
      replay: new ReplayBuffer(this.options.replayBytes ?? defaultReplayBytes),
      batcher: new OutputBatcher({
        delayMs: this.options.batchDelayMs ?? 5,
        busyDelayMs: this.options.busyBatchDelayMs ?? 25,
        clientBusy: () => session.flow.pending > clientBusyBytes,
        maxBytes: this.options.batchMaxBytes ?? 512 * 1024,
        emit: (data) => {
          const seq = session.replay.lastSeq + 1;
          session.replay.append({ seq, data });
          this.send(session, seq, data);
        },
      }),
      flow: new FlowControl({
        highWatermark: this.options.highWatermark ?? 4 * 1024 * 1024,
        lowWatermark: this.options.lowWatermark ?? 1024 * 1024,
        pause: () => session.process?.pause(),
        resume: () => session.process?.resume(),
      }),
    };
    this.sessions.set(id, session);
    return session;
  }

  private attach(session: Session, terminal: TerminalProcess): void {
    session.process = terminal;
    terminal.onData((chunk) => session.batcher.push(chunk));
    terminal.onExit((exit) => {
      session.batcher.end();
      if (terminal instanceof PodExec) session.info = { ...session.info, command: terminal.command };
      session.info = { ...session.info, state: 'exited', exit };
      void session.kubeconfig?.remove();
      if (exit.error !== undefined) this.emitNotice(session, exit.error.message);
      if (this.sessions.has(session.info.id)) this.exitEmitter.fire({ terminalId: session.info.id, exit });
    });
  }

  /** Sends one batch to every client: output as it comes, or re-sent by resume(). */
  private send(session: Session, seq: number, data: Uint8Array): void {
    session.flow.sent(data.byteLength);
    this.outputEmitter.fire({ terminalId: session.info.id, data, seq });
  }

  /** A line from Nestlab itself in the tab (yellow, on its own line). */
  private emitNotice(session: Session, text: string): void {
    session.batcher.flush();
    session.batcher.push(Buffer.from(`\r\n\x1b[33m${text.replace(/\r?\n/g, '\r\n')}\x1b[0m\r\n`, 'utf8'));
    session.batcher.flush();
  }

  private closeSession(session: Session): Promise<void> {
    session.closing ??= (async () => {
      this.sessions.delete(session.info.id);
      session.batcher.dispose();
      try {
        await session.process?.kill();
      } finally {
        session.batcher.dispose();
        await session.kubeconfig?.remove();
      }
    })();
    return session.closing;
  }

  private session(terminalId: string): Session {
    const session = this.sessions.get(terminalId);
    if (session === undefined) throw new AppError('NOT_FOUND', 'That terminal is closed.', { terminalId });
    return session;
  }

  private async contextYaml(context: string): Promise<string> {
    if (this.options.kubeconfigs === undefined) {
      throw new AppError('NOT_FOUND', `Terminals cannot use context "${context}" yet: this build has no per-context kubeconfigs.`, {
        context,
      });
    }
    return this.options.kubeconfigs.kubeconfigYamlFor(context);
  }

  private async privateKubeconfig(context: string): Promise<PrivateKubeconfig> {
    return writePrivateKubeconfig(await this.contextYaml(context), this.options.tempDir);
  }

  /** Pod exec's client-node config: credentials resolved by the clusters service, never a plugin run by client-node. */
  private async kubeConfigFor(context: string): Promise<KubeConfig> {
    const provider = this.options.kubeconfigs;
    if (provider?.kubeConfigFor !== undefined) return provider.kubeConfigFor(context);
    const kubeconfig = new KubeConfig();
    try {
      kubeconfig.loadFromString(await this.contextYaml(context));
    } catch (error) {
      throw AppError.from(error).code === 'INTERNAL'
        ? new AppError('INVALID_INPUT', `The kubeconfig of context "${context}" could not be read.`, { context })
        : error;
    }
    const user = kubeconfig.getCurrentUser();
    if (user?.exec !== undefined || user?.authProvider !== undefined) {
      throw new AppError(
        'INVALID_INPUT',
        `Context "${context}" gets its credentials from a plugin, which pod exec does not run itself. Use a context imported in the Clusters view.`,
        { context },
      );
    }
    return kubeconfig;
  }
}

/** Runs `action` and reports its outcome as a promise (a throw becomes a rejection). */
function settle<T>(action: () => T): Promise<T> {
  try {
    return Promise.resolve(action());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function safeAccountShell(): string | undefined {
  try {
    return userInfo().shell ?? undefined;
  } catch {
    return undefined;
  }
}
