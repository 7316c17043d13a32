/**
 * The RPC envelope every transport carries. A client sends calls and (un)subscriptions;
 * the server answers calls with results and pushes events. Payloads are plain JSON.
 */
import type { SerializedError } from '../errors';

export type ClientMessage =
  | { type: 'call'; id: number; domain: string; method: string; args: unknown[] }
  | { type: 'subscribe'; domain: string; event: string }
  | { type: 'unsubscribe'; domain: string; event: string };

export type CallResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

export type ServerMessage =
  ({ type: 'result'; id: number } & CallResult) | { type: 'event'; domain: string; event: string; payload: unknown };

/** Channel names of the Electron transport: one for calls, one for events. */
export const ipcChannels = {
  invoke: 'nestlab:invoke',
  event: 'nestlab:event',
} as const;
