/**
 * The terminals slice through the real RPC client and dispatcher (in-memory transport: output
 * through its binary frame), with a scripted terminals service standing in for the main process.
 */
import { describe, expect, it, vi } from 'vitest';
import type { TerminalExit, TerminalInfo, TerminalOutput, TerminalResumed, TerminalResumePoint } from '../../../shared/contract';
import { Emitter } from '../../../shared/event';
import { storeOver } from '../../store/store.test-support';

function fakeTerminals(options: { resume?: (terminalId: string, from: TerminalResumePoint) => Promise<TerminalResumed> } = {}) {
  const output = new Emitter<TerminalOutput>();
  const exits = new Emitter<{ terminalId: string; exit: TerminalExit }>();
  const acknowledged: [string, number][] = [];
  let opened = 0;
  const opens: TerminalInfo[] = [];
  const { store } = storeOver((services) => ({
    terminals: {
      ...services.terminals,
      open: (target) => {
        const info: TerminalInfo = { id: `t${++opened}`, target, title: 'local shell', state: 'running' };
        opens.push(info);
        return Promise.resolve(info);
      },
      list: () => Promise.resolve(opens),
      ...(options.resume ? { resume: options.resume } : {}),
      close: () => Promise.resolve(),
      acknowledge: (id, count) => {
        acknowledged.push([id, count]);
        return Promise.resolve();
      },
      onDidOutput: output.event,
      onDidExit: exits.event,
    },
  }));
  return { store, output, exits, acknowledged };
}

describe('terminals slice', () => {
  it('keeps output that arrives before the pane attaches, and drops duplicates', async () => {
    const { store, output } = fakeTerminals();
    await store.getState().openTerminal({ kind: 'local' }, { cols: 80, rows: 24 });
    const bytes = (text: string) => new TextEncoder().encode(text);
    output.fire({ terminalId: 't1', data: bytes('early '), seq: 1 });
    output.fire({ terminalId: 't1', data: bytes('early '), seq: 1 });
    const seen: string[] = [];
    const detach = store.getState().attachTerminalOutput('t1', (batch) => seen.push(new TextDecoder().decode(batch.data)));
    output.fire({ terminalId: 't1', data: bytes('late'), seq: 2 });
    output.fire({ terminalId: 't2', data: bytes('other tab'), seq: 1 });
    expect(seen).toEqual(['early ', 'late']);
    detach();
  });

  it('marks a tab ended on exit and selects a neighbour when the active tab closes', async () => {
    const { store, exits } = fakeTerminals();
    await store.getState().openTerminal({ kind: 'local' }, { cols: 80, rows: 24 });
    await store.getState().openTerminal({ kind: 'local' }, { cols: 80, rows: 24 });
    exits.fire({ terminalId: 't1', exit: { exitCode: 3 } });
    expect(store.getState().terminals[0]).toMatchObject({ id: 't1', state: 'exited', exit: { exitCode: 3 } });
    expect(store.getState().activeTerminalId).toBe('t2');
    await store.getState().closeTerminal('t2');
    expect(store.getState().terminals.map((tab) => tab.id)).toEqual(['t1']);
    expect(store.getState().activeTerminalId).toBe('t1');
  });

  it('passes acknowledgements through', () => {
    const { store, acknowledged } = fakeTerminals();
    store.getState().acknowledgeTerminal('t1', 42);
    expect(acknowledged).toEqual([['t1', 42]]);
  });
});

describe('terminals slice across a reconnect', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const batch = (seq: number, text: string): TerminalOutput => ({ terminalId: 't1', seq, data: bytes(text) });

  /** A store with one open tab whose pane collects text; `resume` plays the server's part. */
  async function openTab(resume: (from: TerminalResumePoint, fire: (output: TerminalOutput) => void) => TerminalResumed) {
    const calls: TerminalResumePoint[] = [];
    let fire: (output: TerminalOutput) => void = () => undefined;
    const fake = fakeTerminals({
      resume: (_terminalId, from) => {
        calls.push(from);
        // The server re-sends before it answers, on the same connection.
        const answer = resume(from, fire);
        return new Promise((resolve) => setTimeout(() => resolve(answer), 0));
      },
    });
    fire = (output) => fake.output.fire(output);
    const { store } = fake;
    await store.getState().openTerminal({ kind: 'local' }, { cols: 80, rows: 24 });
    let text = '';
    store.getState().attachTerminalOutput('t1', (output) => (text += new TextDecoder().decode(output.data)));
    return { store, calls, fire, text: () => text, acknowledged: fake.acknowledged };
  }

  it('holds output after a gap, resumes from its last seq and writes each batch once, in order', async () => {
    const tab = await openTab((from, fire) => {
      // Batches 3 and 4 were sent while the socket was down; 5 came live and is re-sent too.
      for (const [seq, text] of [
        [3, 'c'],
        [4, 'd'],
        [5, 'e'],
      ] as const)
        if (seq > from.afterSeq) fire(batch(seq, text));
      return { replayedBatches: 3, lostBytes: 0, lostThroughSeq: from.afterSeq };
    });
    tab.fire(batch(1, 'a'));
    tab.fire(batch(2, 'bb'));
    tab.store.getState().acknowledgeTerminal('t1', 1);
    // Reconnected: live output with seq 5 arrives before anything re-sent.
    tab.fire(batch(5, 'e'));
    expect(tab.text()).toBe('abb');
    await vi.waitFor(() => expect(tab.text()).toBe('abbcde'));
    tab.fire(batch(6, 'f'));
    expect(tab.text()).toBe('abbcdef');
    expect(tab.calls).toEqual([{ afterSeq: 2, receivedBytes: 3, unacknowledgedBytes: 2 }]);
  });

  it('writes the notice where output was lost, then the rest, and counts the lost bytes as passed', async () => {
    const notice = '\r\n[nestlab: 2.0 KB of output was lost while disconnected]\r\n';
    const tab = await openTab((from, fire) => {
      if (from.afterSeq >= 9) return { replayedBatches: 0, lostBytes: 0, lostThroughSeq: from.afterSeq };
      fire(batch(8, 'h'));
      fire(batch(9, 'i'));
      return { replayedBatches: 2, lostBytes: 2048, lostThroughSeq: 7, notice };
    });
    tab.fire(batch(1, 'a'));
    tab.fire(batch(9, 'i'));
    await vi.waitFor(() => expect(tab.text()).toBe(`a${notice}hi`));
    // A later resume (the next reconnect) starts after the lost bytes and the re-sent batches.
    await tab.store.getState().loadTerminals();
    await vi.waitFor(() => expect(tab.calls).toHaveLength(2));
    expect(tab.calls[1]).toEqual({ afterSeq: 9, receivedBytes: 1 + 2048 + 2, unacknowledgedBytes: 1 + notice.length + 2 });
  });

  it('resumes every listed terminal when the page (re)connects, with nothing to re-send when nothing was missed', async () => {
    const tab = await openTab((from) => ({ replayedBatches: 0, lostBytes: 0, lostThroughSeq: from.afterSeq }));
    tab.fire(batch(1, 'abc'));
    tab.store.getState().acknowledgeTerminal('t1', 3);
    await tab.store.getState().loadTerminals();
    await vi.waitFor(() => expect(tab.calls).toEqual([{ afterSeq: 1, receivedBytes: 3, unacknowledgedBytes: 0 }]));
    // Output during the resume is held until it answers, then written.
    tab.fire(batch(2, 'd'));
    await vi.waitFor(() => expect(tab.text()).toBe('abcd'));
  });
});
