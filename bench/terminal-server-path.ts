/**
 * Terminal throughput of the server path alone: 50 MB of text through pty -> batcher ->
 * dispatcher -> WebSocket to a Node client that acknowledges each batch at once (no xterm, no
 * Chromium), against reading the same pty directly in Node. It separates what browser mode's
 * process costs per byte from what the renderer costs (bench/terminal-throughput.ts measures both).
 * Run: npm run bench -- terminal-server-path   (builds the app first unless NESTLAB_BENCH_NO_BUILD=1)
 * Profile the server: NESTLAB_BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR'
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { decodeTerminalOutput } from '../src/shared/rpc/binary-frame';
import {
  buildApp,
  cpuMs,
  createOutputFile,
  load,
  mbps,
  megabytes,
  rawPtyRead,
  startBenchServer,
  type BenchServer,
} from './_terminal-support';

interface Run {
  ms: number;
  bytes: number;
  batches: number;
  serverCpuMs: number;
  clientCpuMs: number;
}

const output = await createOutputFile();
buildApp();
const loadBefore = load();
const raw = await rawPtyRead(output.file);
const server = await startBenchServer(output.dir);
const runs: Run[] = [];
try {
  for (let run = 0; run < 3; run++) runs.push(await throughServer(server));
} finally {
  await server.stop();
  await output.remove();
}

/** One `cat` through the server, timed from the command's Enter to the marker after it. */
async function throughServer(server: BenchServer): Promise<Run> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/rpc`, ['nestlab.rpc.v1', `nestlab.token.${server.token}`], {
    origin: `http://127.0.0.1:${server.port}`,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 1;
  const results = new Map<number, (value: unknown) => void>();
  const call = (method: string, args: unknown[]) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      results.set(id, resolve);
      socket.send(JSON.stringify({ type: 'call', id, domain: 'terminals', method, args }));
    });
  let terminalId = '';
  let tail = '';
  let bytes = 0;
  let batches = 0;
  let onOutput: (() => void) | undefined;
  const decoder = new TextDecoder();
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) {
      const message = JSON.parse(data.toString('utf8')) as { type: string; id: number; value?: unknown };
      if (message.type === 'result') results.get(message.id)?.(message.value);
      return;
    }
    const frame = decodeTerminalOutput(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (frame.terminalId !== terminalId) return;
    bytes += frame.data.byteLength;
    batches += 1;
    // Acknowledge at once, as a renderer with an infinitely fast xterm would.
    socket.send(
      JSON.stringify({ type: 'call', id: 0, domain: 'terminals', method: 'acknowledge', args: [terminalId, frame.data.byteLength] }),
    );
    // Batches end on whole characters; a cut inside one only costs a U+FFFD in this ASCII tail.
    tail = (tail + decoder.decode(frame.data.subarray(-64))).slice(-64);
    onOutput?.();
  });
  const untilOutput = (marker: string) =>
    new Promise<void>((resolve) => (onOutput = () => (tail.includes(marker) ? resolve() : undefined)));
  const write = (data: string) =>
    socket.send(JSON.stringify({ type: 'call', id: 0, domain: 'terminals', method: 'write', args: [terminalId, data] }));

  socket.send(JSON.stringify({ type: 'subscribe', domain: 'terminals', event: 'onDidOutput' }));
  terminalId = ((await call('open', [{ kind: 'local' }, { cols: 120, rows: 40 }])) as { id: string }).id;
  // The markers are built by the shell, so the echoed command line never matches them.
  const ready = untilOutput('ready-7');
  write('echo ready-$((3+4))\r');
  await ready;
  bytes = 0;
  batches = 0;
  tail = '';
  const done = untilOutput('bench-42');
  const start = performance.now();
  const serverCpuStart = cpuMs(server.pid);
  const clientCpuStart = cpuMs(process.pid);
  write(`cat ${output.file}; echo bench-$((40+2))\r`);
  await done;
  const ms = performance.now() - start;
  const serverCpuMs = cpuMs(server.pid) - serverCpuStart;
  const clientCpuMs = cpuMs(process.pid) - clientCpuStart;
  await call('close', [terminalId]);
  socket.close();
  return { ms, bytes, batches, serverCpuMs, clientCpuMs };
}

console.log(
  `${megabytes} MB of text (${(raw.bytes / 1024 / 1024).toFixed(1)} MB after the pty's \\n -> \\r\\n), load ${loadBefore} -> ${load()}:`,
);
console.log(`  raw pty read in Node (best of 3): ${raw.ms.toFixed(0)} ms  ${mbps(raw.bytes, raw.ms)} MB/s  (reader CPU ${raw.cpuMs} ms)`);
for (const [index, run] of runs.entries()) {
  console.log(
    `  server path run ${index + 1}: ${run.ms.toFixed(0)} ms  ${mbps(run.bytes, run.ms)} MB/s  ${((raw.ms / run.ms) * 100).toFixed(0)}% of raw` +
      `  (${run.batches} batches)  CPU: server ${run.serverCpuMs} ms, client ${run.clientCpuMs} ms`,
  );
}
