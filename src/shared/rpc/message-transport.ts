/**
 * A Transport over any message channel (a WebSocket, an in-memory pair): numbers calls,
 * matches results, reference-counts subscriptions, and replays them after a reconnect.
 */
import { AppError } from '../errors';
import { Emitter, type Disposable } from '../event';
import type { Transport } from './client';
import { unwrapResult } from './client';
import type { ClientMessage, ServerMessage } from './messages';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class MessageTransport implements Transport {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Emitter<unknown>>();
  private sendFn: ((message: ClientMessage) => void) | undefined;

  /** Attaches a live channel and re-sends every active subscription on it. */
  attach(send: (message: ClientMessage) => void): void {
    this.sendFn = send;
    for (const key of this.listeners.keys()) {
      const [domain, event] = splitKey(key);
      send({ type: 'subscribe', domain, event });
    }
  }

  /** The channel went away: calls in flight fail with TRANSPORT_CLOSED; subscriptions are kept. */
  detach(reason = 'The connection to the Nestlab main process closed.'): void {
    this.sendFn = undefined;
    const error = new AppError('TRANSPORT_CLOSED', reason);
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  /** Feeds one message that arrived from the server. */
  receive(message: ServerMessage): void {
    if (message.type === 'result') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      try {
        pending.resolve(unwrapResult(message));
      } catch (error) {
        pending.reject(error);
      }
      return;
    }
    this.listeners.get(`${message.domain}.${message.event}`)?.fire(message.payload);
  }

  invoke(domain: string, method: string, args: unknown[]): Promise<unknown> {
    const send = this.sendFn;
    if (!send) {
      return Promise.reject(new AppError('TRANSPORT_CLOSED', 'Not connected to the Nestlab main process; reconnecting.'));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      send({ type: 'call', id, domain, method, args });
    });
  }

  subscribe(domain: string, event: string, listener: (payload: unknown) => void): Disposable {
    const key = `${domain}.${event}`;
    let emitter = this.listeners.get(key);
    if (!emitter) {
      emitter = new Emitter<unknown>();
      this.listeners.set(key, emitter);
      this.sendFn?.({ type: 'subscribe', domain, event });
    }
    const subscription = emitter.event(listener);
    return {
      dispose: () => {
        subscription.dispose();
        if (emitter.listenerCount === 0 && this.listeners.get(key) === emitter) {
          this.listeners.delete(key);
          this.sendFn?.({ type: 'unsubscribe', domain, event });
        }
      },
    };
  }
}

function splitKey(key: string): [string, string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}
