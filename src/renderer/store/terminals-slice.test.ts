import { describe, expect, it } from 'vitest';
import type { TerminalExit, TerminalInfo, TerminalOutput } from '../../shared/contract';
import { Emitter } from '../../shared/event';
import { createTestServices } from '../../shared/rpc/test-services';
import type { Api } from '../../shared/rpc/client';
import { createAppStore } from './app-store';

function fakeApi() {
  const output = new Emitter<TerminalOutput>();
  const exits = new Emitter<{ terminalId: string; exit: TerminalExit }>();
  const acknowledged: [string, number][] = [];
  let opened = 0;
  const services = createTestServices();
  const api = {
    ...services,
    terminals: {
      ...services.terminals,
      open: (target: TerminalInfo['target']) =>
        Promise.resolve({ id: `t${++opened}`, target, title: 'local shell', state: 'running' } as TerminalInfo),
      close: () => Promise.resolve(),
      acknowledge: (id: string, count: number) => {
        acknowledged.push([id, count]);
        return Promise.resolve();
      },
      onDidOutput: output.event,
      onDidExit: exits.event,
    },
  } as unknown as Api;
  return { api, output, exits, acknowledged };
}

describe('terminals slice', () => {
  it('keeps output that arrives before the pane attaches, and drops duplicates', async () => {
    const { api, output } = fakeApi();
    const store = createAppStore({ api });
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
    const { api, exits } = fakeApi();
    const store = createAppStore({ api });
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
    const { api, acknowledged } = fakeApi();
    createAppStore({ api }).getState().acknowledgeTerminal('t1', 42);
    expect(acknowledged).toEqual([['t1', 42]]);
  });
});
