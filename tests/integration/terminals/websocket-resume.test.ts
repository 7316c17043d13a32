/**
 * A browser-mode client that loses its WebSocket mid-stream and reconnects: terminals.resume
 * re-sends what it missed through the real WebSocket server, from a real pty running a real
 * shell script that prints numbered lines in bursts. The received text is then the whole stream
 * with no gap and no repeat; when more was missed than the server keeps, the loss is reported
 * with its exact size, and a producer that flow control paused while nobody acknowledged goes on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TerminalsService, type TerminalsServiceOptions } from '../../../src/main/terminals/terminals-service';
import { formatBytes } from '../../../src/main/terminals/replay-buffer';
import { startWebServer, type RunningWebServer } from '../../../src/main/server/web-server';
import type { TerminalOutput, TerminalResumed } from '../../../src/shared/contract';
import { Dispatcher } from '../../../src/shared/rpc/dispatcher';
import { createTestServices } from '../../doubles/test-services';
import { connectRawClient, type RawClient } from './websocket-client';
import { tempDir } from '../../harness/temp-dir';

const token = 'R'.repeat(43);
let staticDir: string | undefined;
let service: TerminalsService | undefined;
let server: RunningWebServer | undefined;

afterEach(async () => {
  await server?.close();
  await service?.dispose();
});

/**
 * The terminal runs `script` under /bin/sh with echo off, so its output is exactly what the
 * script prints (the pty turns \n into \r\n). Scripts end waiting for input rather than exiting:
 * node-pty can report an exit before the last output is read, which is not what is tested here. `truth` is every batch the service emitted, by seq:
 * what a client that never disconnected would have.
 */
async function start(script: string, options: Partial<TerminalsServiceOptions> = {}) {
  staticDir = await tempDir('ws-resume');
  service = new TerminalsService({
    locateKubectl: () => Promise.resolve({ available: false, reason: 'not needed in this test' }),
    shell: { file: '/bin/sh', args: ['-c', `stty -echo; ${script}`] },
    ...options,
  });
  const truth = new Map<number, Uint8Array>();
  const emitted = new Set<() => void>();
  service.onDidOutput((output: TerminalOutput) => {
    truth.set(output.seq, output.data);
    for (const listener of [...emitted]) listener();
  });
  server = await startWebServer({ dispatcher: new Dispatcher({ ...createTestServices(), terminals: service }), token, staticDir, port: 0 });
  const truthText = () => decodeInOrder([...truth.entries()].sort(([a], [b]) => a - b).map(([, data]) => data));
  /** Waits, by event, until the service's output so far passes `done` (whoever listens). */
  const emittedUntil = (done: (text: string) => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done(truthText())) return;
        emitted.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        emitted.delete(check);
        reject(new Error(`Timed out waiting for the service to emit ${what}`));
      }, 30_000);
      emitted.add(check);
      check();
    });
  return { service, truthText, emittedUntil, connect: () => connectRawClient(server!.port, token) };
}

function decodeInOrder(batches: Uint8Array[]): string {
  const decoder = new TextDecoder();
  return batches.map((data) => decoder.decode(data, { stream: true })).join('');
}

/** What a renderer keeps of one terminal: batches by seq, each once, and its resume point. */
function rendererView(terminalId: string, ...clients: RawClient[]) {
  const kept = new Map<number, Uint8Array>();
  for (const client of clients) {
    for (const output of client.outputs) if (output.terminalId === terminalId && !kept.has(output.seq)) kept.set(output.seq, output.data);
  }
  const seqs = [...kept.keys()].sort((a, b) => a - b);
  return {
    seqs,
    text: decodeInOrder(seqs.map((seq) => kept.get(seq)!)),
    lastSeq: seqs.at(-1) ?? 0,
    bytes: seqs.reduce((sum, seq) => sum + kept.get(seq)!.byteLength, 0),
  };
}

/** The numbers printed as whole lines, in order. */
function numberedLines(text: string): number[] {
  return text
    .split('\r\n')
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

/** Acknowledges every batch as it arrives, as xterm's write callback would. */
function acknowledgeAsItComes(client: RawClient, terminalId: string) {
  client.socket.on('message', (_data, isBinary) => {
    const output = client.outputs.at(-1);
    if (isBinary && output?.terminalId === terminalId) client.send('acknowledge', [terminalId, output.data.byteLength]);
  });
}

describe('terminal output across a WebSocket reconnect', () => {
  it('re-sends what was printed while the socket was down: the whole numbered sequence, no gap, no repeat', async () => {
    const lab = await start('seq 1 2000; read go; seq 2001 12000; read go; seq 12001 14000; echo "end-$((40+2))"; read stay');
    const first = await lab.connect();
    const tab = (await first.call('open', [{ kind: 'local' }, { cols: 80, rows: 24 }])) as { id: string };
    await first.until(() => (first.text(tab.id).includes('\r\n2000\r\n') ? true : undefined), 'the first burst');
    await first.close();

    // The second burst (about 50 KB, in several batches) happens while nobody is connected.
    await lab.service.write(tab.id, 'go\r');
    await lab.emittedUntil((text) => text.endsWith('\r\n12000\r\n'), 'line 12000');

    const second = await lab.connect();
    const before = rendererView(tab.id, first);
    const resumed = (await second.call('resume', [
      tab.id,
      { afterSeq: before.lastSeq, receivedBytes: before.bytes, unacknowledgedBytes: 0 },
    ])) as TerminalResumed;
    expect(resumed).toMatchObject({ lostBytes: 0, lostThroughSeq: before.lastSeq });
    expect(resumed.replayedBatches).toBeGreaterThan(0);
    expect(resumed.notice).toBeUndefined();
    // Output after the resume comes live on the new socket.
    await second.call('write', [tab.id, 'go\r']);
    await second.until(() => (second.text(tab.id).includes('end-42') ? true : undefined), 'the end marker');

    const view = rendererView(tab.id, first, second);
    expect(view.seqs).toEqual(range(1, view.lastSeq));
    expect(numberedLines(view.text)).toEqual(range(1, 14000));
    expect(view.text).toBe(lab.truthText());
    // The new socket got each missed batch once: nothing was sent twice to it.
    const secondSeqs = second.outputs.filter((output) => output.terminalId === tab.id).map((output) => output.seq);
    expect(secondSeqs).toEqual(range(before.lastSeq + 1, view.lastSeq));
    await second.close();
  });

  it('reports output beyond the replay buffer as lost, with its exact size, and a producer paused meanwhile goes on', async () => {
    const replayBytes = 16 * 1024;
    const highWatermark = 256 * 1024;
    const lab = await start('seq 1 2000; read go; seq 2001 200000; echo "end-$((40+2))"; read stay', {
      replayBytes,
      highWatermark,
      lowWatermark: 64 * 1024,
      // Small batches, so the buffer's bound is its size (it always keeps the newest batch whole).
      batchMaxBytes: 8 * 1024,
    });
    const first = await lab.connect();
    const tab = (await first.call('open', [{ kind: 'local' }, { cols: 80, rows: 24 }])) as { id: string };
    acknowledgeAsItComes(first, tab.id);
    await first.until(() => (first.text(tab.id).includes('\r\n2000\r\n') ? true : undefined), 'the first burst');
    await first.close();

    // About 1.3 MB to print while nobody acknowledges: flow control pauses the shell once
    // 256 KiB are unacknowledged, far from the end (before the fix it stayed paused for good).
    await lab.service.write(tab.id, 'go\r');
    await lab.emittedUntil((text) => text.length > highWatermark, 'more than the high watermark');
    expect(lab.truthText()).not.toContain('end-42');

    const second = await lab.connect();
    acknowledgeAsItComes(second, tab.id);
    const before = rendererView(tab.id, first);
    const resumed = (await second.call('resume', [
      tab.id,
      { afterSeq: before.lastSeq, receivedBytes: before.bytes, unacknowledgedBytes: 0 },
    ])) as TerminalResumed;
    // Live output may follow at once (the reset let the shell go on): the first batches are the replay.
    const replayed = second.outputs.slice(0, resumed.replayedBatches);
    expect(resumed.lostBytes).toBeGreaterThan(0);
    expect(replayed.reduce((sum, output) => sum + output.data.byteLength, 0)).toBeLessThanOrEqual(replayBytes);
    expect(replayed[0]?.seq).toBe(resumed.lostThroughSeq + 1);
    expect(resumed.notice).toBe(`\r\n\x1b[2m[nestlab: ${formatBytes(resumed.lostBytes)} of output was lost while disconnected]\x1b[0m\r\n`);

    // Not frozen: the rest of the sequence arrives as the new client acknowledges.
    await second.until(() => (second.text(tab.id).includes('end-42') ? true : undefined), 'the end marker', 30_000);
    const after = rendererView(tab.id, second);
    const truth = lab.truthText();
    // What the client has is the stream's start and end; exactly `lostBytes` are missing between them.
    expect(truth.startsWith(before.text)).toBe(true);
    expect(truth.endsWith(after.text)).toBe(true);
    expect(truth.length - before.text.length - after.text.length).toBe(resumed.lostBytes);
    expect(after.seqs).toEqual(range(resumed.lostThroughSeq + 1, after.lastSeq));
    // Numbered lines: 1 up to the gap, then on from after it to 200000, each once.
    // (The replay may start inside a line: that partial line is left out.)
    const shown = [...numberedLines(before.text), ...numberedLines(after.text.slice(after.text.indexOf('\r\n') + 2))];
    const gapAt = shown.findIndex((value, index) => index > 0 && value !== shown[index - 1]! + 1);
    expect(gapAt).toBeGreaterThan(0);
    expect(shown.slice(0, gapAt)).toEqual(range(1, shown[gapAt - 1]!));
    expect(shown.slice(gapAt)).toEqual(range(shown[gapAt]!, 200000));
    await second.close();
  });
});
