import type { StateCreator } from 'zustand';
import type {
  PodContainers,
  TerminalExit,
  TerminalInfo,
  TerminalOutput,
  TerminalResumed,
  TerminalSize,
  TerminalTarget,
} from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';

/** Where a terminal's output goes: the TerminalPane's xterm (kept in a ref, never in the store). */
export type TerminalOutputSink = (output: TerminalOutput) => void;

export interface TerminalsSlice {
  /** Open tabs, in tab order; ended terminals stay until closed so their exit status shows. */
  terminals: TerminalInfo[];
  activeTerminalId: string | undefined;
  terminalError: SerializedError | undefined;
  /**
   * Lists the main process's terminals (after a reload or reconnect) and resumes each one's
   * output from where this page's copy ends (terminals.resume).
   */
  loadTerminals: () => Promise<void>;
  openTerminal: (target: TerminalTarget, size: TerminalSize) => Promise<void>;
  closeTerminal: (terminalId: string) => Promise<void>;
  selectTerminal: (terminalId: string) => void;
  dismissTerminalError: () => void;
  podContainers: (context: string, namespace: string, pod: string) => Promise<PodContainers>;
  /** Keystrokes and pastes. */
  writeTerminal: (terminalId: string, data: string) => void;
  resizeTerminal: (terminalId: string, size: TerminalSize) => void;
  /** xterm has drawn this many bytes (its write callback ran): lets the producer go on. */
  acknowledgeTerminal: (terminalId: string, byteCount: number) => void;
  /**
   * Routes a terminal's output to `sink`, starting with whatever arrived before the pane was
   * mounted. Returns the function that detaches it.
   */
  attachTerminalOutput: (terminalId: string, sink: TerminalOutputSink) => () => void;
}

/**
 * Where one terminal's output stands in this page. Seqs count batches; the counts in bytes let
 * the server size a loss and reset flow control when the page catches up (terminals.resume).
 */
interface OutputStream {
  lastSeq: number;
  /** Bytes of the stream through lastSeq, counting bytes the server said were lost. */
  receivedBytes: number;
  /** Bytes handed to the pane (or kept for it), notices included; they are acknowledged as drawn. */
  deliveredBytes: number;
  acknowledgedBytes: number;
  /** Output that came after a gap or while a resume runs, delivered in seq order once it answers. */
  held: TerminalOutput[];
  resuming: boolean;
}

export function createTerminalsSlice(deps: StoreDeps): StateCreator<AppState, [], [], TerminalsSlice> {
  return (set, get) => {
    // One subscription for all tabs: output events are broadcast and filtered here by id.
    const sinks = new Map<string, TerminalOutputSink>();
    /** Output of terminals whose pane is not mounted yet; bounded by the producer's flow control. */
    const early = new Map<string, TerminalOutput[]>();
    const streams = new Map<string, OutputStream>();
    const streamOf = (terminalId: string) => {
      let stream = streams.get(terminalId);
      if (!stream) {
        stream = { lastSeq: 0, receivedBytes: 0, deliveredBytes: 0, acknowledgedBytes: 0, held: [], resuming: false };
        streams.set(terminalId, stream);
      }
      return stream;
    };
    const hand = (output: TerminalOutput) => {
      streamOf(output.terminalId).deliveredBytes += output.data.byteLength;
      const sink = sinks.get(output.terminalId);
      if (sink) sink(output);
      else early.set(output.terminalId, [...(early.get(output.terminalId) ?? []), output]);
    };
    const deliver = (stream: OutputStream, output: TerminalOutput) => {
      stream.lastSeq = output.seq;
      stream.receivedBytes += output.data.byteLength;
      hand(output);
    };
    /**
     * Catches up after a reconnect (or a page load): the server re-sends what this page missed,
     * before it answers, with the original seqs; what it no longer keeps comes back as a notice
     * line, written where the gap is. Output arriving meanwhile is held and then delivered in
     * seq order, each seq once.
     */
    const resume = async (terminalId: string) => {
      const stream = streamOf(terminalId);
      if (stream.resuming) return;
      stream.resuming = true;
      let resumed: TerminalResumed;
      try {
        resumed = await deps.api.terminals.resume(terminalId, {
          afterSeq: stream.lastSeq,
          receivedBytes: stream.receivedBytes,
          unacknowledgedBytes: Math.max(0, stream.deliveredBytes - stream.acknowledgedBytes),
        });
      } catch (error) {
        stream.resuming = false;
        // Disconnected again: the held output waits for the next connection's resume.
        if (AppError.from(error).code === 'NOT_FOUND') stream.held = [];
        return;
      }
      stream.resuming = false;
      if (streams.get(terminalId) !== stream) return;
      if (resumed.notice !== undefined && resumed.lostThroughSeq > stream.lastSeq) {
        hand({ terminalId, seq: resumed.lostThroughSeq, data: new TextEncoder().encode(resumed.notice) });
        stream.lastSeq = resumed.lostThroughSeq;
        stream.receivedBytes += resumed.lostBytes;
      }
      const held = stream.held.sort((a, b) => a.seq - b.seq);
      stream.held = [];
      // Everything after lastSeq has arrived by now (re-sent before the answer, or live after it).
      for (const output of held) if (output.seq > stream.lastSeq) deliver(stream, output);
    };
    let subscribed = false;
    const subscribe = () => {
      if (subscribed) return;
      subscribed = true;
      deps.api.terminals.onDidOutput((output) => {
        const stream = streamOf(output.terminalId);
        // A duplicate (re-sent by a resume, or a second subscription after a reconnect) is dropped.
        if (output.seq <= stream.lastSeq) return;
        if (stream.resuming || stream.held.length > 0 || output.seq > stream.lastSeq + 1) {
          // A gap: this page missed output (its socket was down). Hold this until the rest is re-sent.
          stream.held.push(output);
          void resume(output.terminalId);
          return;
        }
        deliver(stream, output);
      });
      deps.api.terminals.onDidExit(({ terminalId, exit }) => receiveExit(terminalId, exit));
    };
    const receiveExit = (terminalId: string, exit: TerminalExit) =>
      set({ terminals: get().terminals.map((tab) => (tab.id === terminalId ? { ...tab, state: 'exited', exit } : tab)) });
    const forget = (terminalId: string) => {
      sinks.delete(terminalId);
      early.delete(terminalId);
      streams.delete(terminalId);
    };
    const fail = (error: unknown) => set({ terminalError: AppError.from(error).toJSON() });

    return {
      terminals: [],
      activeTerminalId: undefined,
      terminalError: undefined,
      loadTerminals: async () => {
        subscribe();
        try {
          const terminals = await deps.api.terminals.list();
          const active = get().activeTerminalId;
          set({ terminals, activeTerminalId: terminals.some((tab) => tab.id === active) ? active : terminals[0]?.id });
          // A (re)connected page catches up on what it missed; a page just loaded gets recent output.
          for (const tab of terminals) void resume(tab.id);
        } catch (error) {
          fail(error);
        }
      },
      openTerminal: async (target, size) => {
        subscribe();
        try {
          const info = await deps.api.terminals.open(target, size);
          set({
            terminals: [...get().terminals.filter((tab) => tab.id !== info.id), info],
            activeTerminalId: info.id,
            terminalError: undefined,
          });
        } catch (error) {
          fail(error);
        }
      },
      closeTerminal: async (terminalId) => {
        const tabs = get().terminals;
        const index = tabs.findIndex((tab) => tab.id === terminalId);
        const remaining = tabs.filter((tab) => tab.id !== terminalId);
        const active =
          get().activeTerminalId === terminalId
            ? (remaining[Math.min(index, remaining.length - 1)]?.id ?? undefined)
            : get().activeTerminalId;
        set({ terminals: remaining, activeTerminalId: active });
        forget(terminalId);
        try {
          await deps.api.terminals.close(terminalId);
        } catch (error) {
          fail(error);
        }
      },
      selectTerminal: (terminalId) => set({ activeTerminalId: terminalId }),
      dismissTerminalError: () => set({ terminalError: undefined }),
      podContainers: (context, namespace, pod) => deps.api.terminals.podContainers(context, namespace, pod),
      writeTerminal: (terminalId, data) => {
        deps.api.terminals.write(terminalId, data).catch(fail);
      },
      resizeTerminal: (terminalId, size) => {
        deps.api.terminals.resize(terminalId, size).catch(() => undefined);
      },
      acknowledgeTerminal: (terminalId, byteCount) => {
        // Counted even if it is lost in a disconnect: a resume tells the server what is still due.
        const stream = streams.get(terminalId);
        if (stream) stream.acknowledgedBytes += byteCount;
        // A lost acknowledgement only slows that one terminal; it is never worth a banner.
        deps.api.terminals.acknowledge(terminalId, byteCount).catch(() => undefined);
      },
      attachTerminalOutput: (terminalId, sink) => {
        subscribe();
        sinks.set(terminalId, sink);
        const pending = early.get(terminalId) ?? [];
        early.delete(terminalId);
        for (const output of pending) sink(output);
        return () => {
          if (sinks.get(terminalId) === sink) sinks.delete(terminalId);
        };
      },
    };
  };
}
