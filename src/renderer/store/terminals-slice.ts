import type { StateCreator } from 'zustand';
import type { PodContainers, TerminalExit, TerminalInfo, TerminalOutput, TerminalSize, TerminalTarget } from '../../shared/contract';
import { AppError, type SerializedError } from '../../shared/errors';
import type { AppState, StoreDeps } from './app-store';

/** Where a terminal's output goes: the TerminalPane's xterm (kept in a ref, never in the store). */
export type TerminalOutputSink = (output: TerminalOutput) => void;

export interface TerminalsSlice {
  /** Open tabs, in tab order; ended terminals stay until closed so their exit status shows. */
  terminals: TerminalInfo[];
  activeTerminalId: string | undefined;
  terminalError: SerializedError | undefined;
  /** Lists the main process's terminals (after a reload or reconnect). */
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

export function createTerminalsSlice(deps: StoreDeps): StateCreator<AppState, [], [], TerminalsSlice> {
  return (set, get) => {
    // One subscription for all tabs: output events are broadcast and filtered here by id.
    const sinks = new Map<string, TerminalOutputSink>();
    /** Output of terminals whose pane is not mounted yet; bounded by the producer's flow control. */
    const early = new Map<string, TerminalOutput[]>();
    const lastSeq = new Map<string, number>();
    let subscribed = false;
    const subscribe = () => {
      if (subscribed) return;
      subscribed = true;
      deps.api.terminals.onDidOutput((output) => {
        // A duplicate (a second subscription after a reconnect) is dropped.
        if (output.seq <= (lastSeq.get(output.terminalId) ?? 0)) return;
        lastSeq.set(output.terminalId, output.seq);
        const sink = sinks.get(output.terminalId);
        if (sink) sink(output);
        else early.set(output.terminalId, [...(early.get(output.terminalId) ?? []), output]);
      });
      deps.api.terminals.onDidExit(({ terminalId, exit }) => receiveExit(terminalId, exit));
    };
    const receiveExit = (terminalId: string, exit: TerminalExit) =>
      set({ terminals: get().terminals.map((tab) => (tab.id === terminalId ? { ...tab, state: 'exited', exit } : tab)) });
    const forget = (terminalId: string) => {
      sinks.delete(terminalId);
      early.delete(terminalId);
      lastSeq.delete(terminalId);
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
