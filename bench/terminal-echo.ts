/**
 * Keystroke echo latency over browser mode's WebSocket transport: one character written with
 * terminals.write, until the output event carrying its echo arrives (WebSocket -> dispatcher
 * -> pty -> tty echo -> batcher -> WebSocket). Target: p95 under 30 ms.
 * Run: npm run bench -- terminal-echo
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ServerMessage } from '../src/shared/rpc/messages';
import type { TerminalInfo, TerminalOutput } from '../src/shared/contract';
import { decodeTerminalOutput } from '../src/shared/rpc/binary-frame';
import { createServices } from '../src/main/services';
import { startWebServer } from '../src/main/server/web-server';
import { Dispatcher } from '../src/shared/rpc/dispatcher';

const keystrokes = 300;
const dir = await mkdtemp(join(tmpdir(), 'nestlab-bench-echo-'));
process.env.SHELL = '/bin/sh';
const services = await createServices({ mode: 'browser', appVersion: 'bench', dataDir: dir });
const token = 'E'.repeat(43);
const server = await startWebServer({ dispatcher: new Dispatcher(services), token, staticDir: dir, port: 0 });
const socket = new WebSocket(`ws://127.0.0.1:${server.port}/rpc`, ['nestlab.rpc.v1', `nestlab.token.${token}`], {
  origin: `http://127.0.0.1:${server.port}`,
});
await new Promise((resolve, reject) => {
  socket.once('open', resolve);
  socket.once('error', reject);
});

let nextId = 1;
const pending = new Map<number, (value: unknown) => void>();
let onOutput: (output: TerminalOutput) => void = () => undefined;
socket.on('message', (data: Buffer, isBinary: boolean) => {
  if (isBinary) {
    // Terminal output: a binary frame (see src/shared/rpc/binary-frame.ts).
    const output = decodeTerminalOutput(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    // Acknowledge as the renderer does once xterm has drawn it.
    void call('acknowledge', [output.terminalId, output.data.byteLength]);
    onOutput(output);
    return;
  }
  const message = JSON.parse(data.toString('utf8')) as ServerMessage;
  if (message.type === 'result') {
    pending.get(message.id)?.(message.ok ? message.value : undefined);
    pending.delete(message.id);
  }
});
function call(method: string, args: unknown[]): Promise<unknown> {
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    socket.send(JSON.stringify({ type: 'call', id, domain: 'terminals', method, args }));
  });
}
function waitForOutput(pattern: RegExp): Promise<void> {
  let seen = '';
  return new Promise((resolve) => {
    const decoder = new TextDecoder();
    onOutput = (output) => {
      seen += decoder.decode(output.data, { stream: true });
      if (pattern.test(seen)) resolve();
    };
  });
}

socket.send(JSON.stringify({ type: 'subscribe', domain: 'terminals', event: 'onDidOutput' }));
const ready = waitForOutput(/[$#] $/);
const tab = (await call('open', [{ kind: 'local' }, { cols: 120, rows: 40 }])) as TerminalInfo;
await ready;

const samples: number[] = [];
const letters = 'abcdefghijklmnopqrstuvwxyz';
for (let i = 0; i < keystrokes + 30; i++) {
  const key = letters[i % letters.length]!;
  const echoed = waitForOutput(new RegExp(key));
  const start = performance.now();
  socket.send(JSON.stringify({ type: 'call', id: nextId++, domain: 'terminals', method: 'write', args: [tab.id, key] }));
  await echoed;
  if (i >= 30) samples.push(performance.now() - start); // the first 30 warm up
  if (i % 60 === 59) {
    // Clear the line now and then (Ctrl-U), so the shell's line stays short.
    const cleared = waitForOutput(/./s);
    await call('write', [tab.id, '\u0015']);
    await Promise.race([cleared, new Promise((resolve) => setTimeout(resolve, 50))]);
  }
}
await call('close', [tab.id]);
socket.close();
await server.close();
await services.dispose();
await rm(dir, { recursive: true, force: true });

const sorted = [...samples].sort((a, b) => a - b);
const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
console.log(`Keystroke echo over WebSocket, ${keystrokes} keystrokes (after 30 warm-up):`);
console.log(`  p50 ${at(50).toFixed(1)} ms  p95 ${at(95).toFixed(1)} ms  max ${sorted.at(-1)!.toFixed(1)} ms`);
console.log(`  target p95 < 30 ms: ${at(95) < 30 ? 'OK' : 'ABOVE TARGET'}`);
