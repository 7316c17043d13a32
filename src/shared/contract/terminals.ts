import type { Event } from '../event';
import type { SerializedError } from '../errors';
import { domainNames } from './names';
import type { KubectlStatus } from './system';

/** What a terminal tab is connected to. */
export type TerminalTarget =
  | {
      kind: 'local';
      /**
       * The kubeconfig context kubectl talks to in this shell. The shell gets a private
       * KUBECONFIG holding only that context. Without it the shell keeps the user's own KUBECONFIG.
       */
      context?: string;
    }
  | { kind: 'ssh'; hostId: string }
  | {
      kind: 'pod';
      context: string;
      namespace: string;
      pod: string;
      /** Defaults to the pod's first container. */
      container?: string;
    };

/** Size in character cells. */
export interface TerminalSize {
  cols: number;
  rows: number;
}

/** How a terminal's process or channel ended. */
export interface TerminalExit {
  /** Exit status; null when it was ended by a signal or never started. */
  exitCode: number | null;
  /** Signal name (SIGKILL, HUP...) when the process was ended by one. */
  signal?: string;
  /** Set when the terminal failed rather than exited (exec refused, connection dropped). */
  error?: SerializedError;
}

/** Why a terminal got its kubectl, shown in the tab. */
export interface KubectlNote {
  tone: 'info' | 'warning';
  text: string;
  /** The server's version as /version reported it, e.g. "v1.20.2", when it could be read. */
  serverVersion?: string;
}

/** One open (or ended) terminal, as the tab strip shows it. */
export interface TerminalInfo {
  id: string;
  target: TerminalTarget;
  /** Short tab label, e.g. "kubectl: lab-admin", "ssh: lab-1", "pod: web-0/app". */
  title: string;
  /** Local shells: the kubectl this tab puts first on PATH (or why there is none). */
  kubectl?: KubectlStatus;
  /**
   * Local shells bound to a context: which kubectl was chosen for the context's server version
   * (info), or a warning when none on the shelf is within one minor version of it or the server
   * version could not be read.
   */
  kubectlNote?: KubectlNote;
  /** Pod exec: the command that was started (after the sh/bash or powershell/cmd fallbacks). */
  command?: string[];
  state: 'running' | 'exited';
  exit?: TerminalExit;
}

/**
 * A batch of output. `data` is UTF-8 bytes of whole characters (a character split across reads
 * waits for the next batch), handed to xterm as they are: no decoding in the main process, no
 * JSON escaping on the wire (the WebSocket carries it as a binary frame, Electron IPC as a
 * Uint8Array). `seq` counts batches per terminal from 1, so a client can drop duplicates.
 */
export interface TerminalOutput {
  terminalId: string;
  data: Uint8Array;
  seq: number;
}

/** Where a reconnecting client's copy of a terminal's output ends, for {@link TerminalsService.resume}. */
export interface TerminalResumePoint {
  /** The last seq the client has (0 for none: a page that was just loaded). */
  afterSeq: number;
  /** Bytes of output the client has had through `afterSeq`, counting bytes it was told were lost. */
  receivedBytes: number;
  /** Bytes the client has received (notices included) but not yet acknowledged. */
  unacknowledgedBytes: number;
}

/** What {@link TerminalsService.resume} did. */
export interface TerminalResumed {
  /** Batches re-sent as {@link TerminalOutput} events, before this answer. */
  replayedBatches: number;
  /** Bytes after `afterSeq` the server no longer kept; 0 when nothing was lost. */
  lostBytes: number;
  /** The last lost seq: the client continues after it. `afterSeq` when nothing was lost. */
  lostThroughSeq: number;
  /**
   * Set when output was lost: the line to write into the terminal where the gap is (before the
   * re-sent batches), e.g. "[nestlab: 12.3 KB of output was lost while disconnected]". Its bytes
   * count as sent for flow control, so the client acknowledges them like output.
   */
  notice?: string;
}

/** Containers of a pod, for the exec picker. */
export interface PodContainers {
  containers: string[];
  /** From the node's kubernetes.io/os label (or the pod's nodeSelector); decides sh/bash or powershell/cmd. */
  os: 'linux' | 'windows' | 'unknown';
}

/**
 * Embedded terminals: local shells with kubectl bound to one context, SSH shells to lab hosts,
 * and pod exec. Output is broadcast as {@link TerminalOutput} batches; the producer pauses when
 * more than a high watermark of bytes is unacknowledged and resumes when the client has
 * acknowledged (xterm's write callback) enough to fall below the low watermark.
 */
export interface TerminalsService {
  /**
   * Opens a terminal at the given size. Local: the user's login shell (kubectl missing is said
   * in the tab, the shell still opens). SSH: NOT_FOUND for an unknown host. Pod: the exec request
   * failing (no kubelet, no shell in the image) ends the terminal with `exit.error`.
   */
  open(target: TerminalTarget, size: TerminalSize): Promise<TerminalInfo>;
  /** Every terminal of this session, open or ended but not yet closed. */
  list(): Promise<TerminalInfo[]>;
  /** Sends keystrokes or pasted text. Ignored for ended terminals. */
  write(terminalId: string, data: string): Promise<void>;
  /** Resizes the pty, the SSH channel's window or the exec session. */
  resize(terminalId: string, size: TerminalSize): Promise<void>;
  /** The client has rendered this many bytes (`data.byteLength` summed) of this terminal's output. */
  acknowledge(terminalId: string, byteCount: number): Promise<void>;
  /**
   * A client that was disconnected (or a page just loaded) catches up: the output after
   * `from.afterSeq` that the server still keeps (the last 1 MiB per terminal) is re-sent as
   * {@link onDidOutput} events with their original seqs (clients drop seqs they already have),
   * before this resolves; older output is reported as lost, never skipped silently. Flow control
   * then counts what the client says it has not acknowledged plus what was re-sent, so a
   * producer paused for output that never arrived goes on. NOT_FOUND for a closed terminal.
   */
  resume(terminalId: string, from: TerminalResumePoint): Promise<TerminalResumed>;
  /** Kills the process (and its whole session) or closes the channel, and forgets the terminal. */
  close(terminalId: string): Promise<void>;
  /** The containers of a pod and its OS, for the exec picker. */
  podContainers(context: string, namespace: string, pod: string): Promise<PodContainers>;
  /** Output of every terminal; clients filter by terminalId. */
  onDidOutput: Event<TerminalOutput>;
  /** A terminal's process or channel ended; the tab stays until closed so the status is visible. */
  onDidExit: Event<{ terminalId: string; exit: TerminalExit }>;
}

export const terminalsNames = domainNames<TerminalsService>()({
  methods: ['open', 'list', 'write', 'resize', 'acknowledge', 'resume', 'close', 'podContainers'],
  events: ['onDidOutput', 'onDidExit'],
});
