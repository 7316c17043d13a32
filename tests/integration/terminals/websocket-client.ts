/**
 * A raw browser-mode WebSocket client for terminal tests: JSON messages and decoded terminal
 * frames kept apart, calls answered by id, and waits on what arrives (no sleeps).
 */
import WebSocket from 'ws';
import type { TerminalOutput } from '../../../src/shared/contract';
import { decodeTerminalOutput } from '../../../src/shared/rpc/binary-frame';
import type { ServerMessage } from '../../../src/shared/rpc/messages';

export type RawClient = Awaited<ReturnType<typeof connectRawClient>>;

/** Connects to a browser-mode server on loopback and subscribes to terminal output. */
export async function connectRawClient(port: number, token: string) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/rpc`, ['nestlab.rpc.v1', `nestlab.token.${token}`], {
    origin: `http://127.0.0.1:${port}`,
  });
  const outputs: TerminalOutput[] = [];
  const texts = new Map<string, { decoder: TextDecoder; text: string }>();
  const json: ServerMessage[] = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      const output = decodeTerminalOutput(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      outputs.push(output);
      let entry = texts.get(output.terminalId);
      if (!entry) texts.set(output.terminalId, (entry = { decoder: new TextDecoder(), text: '' }));
      entry.text += entry.decoder.decode(output.data, { stream: true });
    } else json.push(JSON.parse(data.toString('utf8')) as ServerMessage);
    for (const listener of [...listeners]) listener();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 1;
  const until = <T>(check: () => T | undefined, what: string, timeoutMs = 20_000) =>
    new Promise<T>((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value === undefined) return;
        listeners.delete(attempt);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        listeners.delete(attempt);
        reject(new Error(`Timed out waiting for ${what}`));
      }, timeoutMs);
      listeners.add(attempt);
      attempt();
    });
  /** Sends a call without waiting for its answer (an acknowledgement); returns its id. */
  const send = (method: string, args: unknown[]) => {
    const id = nextId++;
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'call', id, domain: 'terminals', method, args }));
    return id;
  };
  /** The call's value; undefined when it failed (see `json` for the error). */
  const call = async (method: string, args: unknown[]) => {
    const id = send(method, args);
    const reply = await until(() => json.find((message) => message.type === 'result' && message.id === id), `the answer to ${method}`);
    return reply.type === 'result' && reply.ok ? reply.value : undefined;
  };
  const text = (terminalId: string) => texts.get(terminalId)?.text ?? '';
  /** Closes the socket and resolves once the close handshake is done. */
  const close = () =>
    new Promise<void>((resolve) => {
      if (socket.readyState === socket.CLOSED) return resolve();
      socket.once('close', () => resolve());
      socket.close();
    });
  socket.send(JSON.stringify({ type: 'subscribe', domain: 'terminals', event: 'onDidOutput' }));
  return { socket, outputs, json, send, call, until, text, close };
}
