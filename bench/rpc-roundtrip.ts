/**
 * RPC round trip: settings.get through the in-memory transport and through browser mode's
 * real WebSocket server on loopback. Prints p50/p95 per call and the WebSocket overhead ratio.
 * Run: npm run bench -- rpc-roundtrip
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { Dispatcher } from '../src/shared/rpc/dispatcher';
import { connectInMemory } from '../src/shared/rpc/in-memory';
import { createServices } from '../src/main/services';
import { startWebServer } from '../src/main/server/web-server';

const calls = 2000;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 200; i++) await run(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples;
}

const dataDir = await mkdtemp(join(tmpdir(), 'nestlab-bench-'));
const dispatcher = new Dispatcher(await createServices({ mode: 'browser', appVersion: 'bench', dataDir }));

const memory = connectInMemory(dispatcher);
const inMemory = await time(() => memory.api.settings.get());

const token = 'B'.repeat(43);
const server = await startWebServer({ dispatcher, token, staticDir: dataDir, port: 0 });
const socket = new WebSocket(`ws://127.0.0.1:${server.port}/rpc`, ['nestlab.rpc.v1', `nestlab.token.${token}`], {
  origin: `http://127.0.0.1:${server.port}`,
});
await new Promise((resolve, reject) => {
  socket.once('open', resolve);
  socket.once('error', reject);
});
let nextId = 1;
const pending = new Map<number, () => void>();
socket.on('message', (data: Buffer) => {
  const { id } = JSON.parse(data.toString('utf8')) as { id: number };
  pending.get(id)?.();
  pending.delete(id);
});
const overWebSocket = await time(
  () =>
    new Promise<void>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ type: 'call', id, domain: 'settings', method: 'get', args: [] }));
    }),
);
socket.close();
await server.close();

const format = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
console.log(`settings.get, ${calls} sequential calls`);
console.log(`  in-memory (JSON round trip):  p50 ${format(percentile(inMemory, 50))}  p95 ${format(percentile(inMemory, 95))}`);
console.log(`  WebSocket on loopback:         p50 ${format(percentile(overWebSocket, 50))}  p95 ${format(percentile(overWebSocket, 95))}`);
console.log(`  WebSocket / in-memory p50 ratio: ${(percentile(overWebSocket, 50) / percentile(inMemory, 50)).toFixed(1)}x`);
