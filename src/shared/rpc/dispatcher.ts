/**
 * The receiving side of every transport: checks names against the contract, validates
 * arguments with the method's schema, calls the service, and turns any throw into the
 * {code, message, details} shape. One ConnectionHandler per client keeps its subscriptions.
 */
import type { ZodType } from 'zod';
import { AppError, type SerializedError } from '../errors';
import type { Disposable } from '../event';
import { isDomainName, isEventName, isMethodName, type Services } from '../contract';
import { argumentSchemas } from '../schemas';
import { clientMessageSchema } from './message-schema';
import type { CallResult, ServerMessage } from './messages';

type AnyMethod = (...args: unknown[]) => Promise<unknown>;
type AnyEvent = (listener: (value: unknown) => void) => Disposable;

export class Dispatcher {
  constructor(private readonly services: Services) {}

  async call(domain: string, method: string, args: unknown[]): Promise<CallResult> {
    try {
      if (!isDomainName(domain) || !isMethodName(domain, method)) {
        throw new AppError('UNKNOWN_METHOD', `There is no method ${domain}.${method} in the contract.`);
      }
      const schemas = argumentSchemas[domain] as Record<string, ZodType>;
      const parsed = schemas[method]!.safeParse(args);
      if (!parsed.success) {
        throw new AppError('INVALID_ARGUMENT', `Invalid arguments for ${domain}.${method}: ${describeIssues(parsed.error.issues)}`, {
          issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
        });
      }
      const service = this.services[domain] as unknown as Record<string, AnyMethod>;
      const value = await service[method]!.apply(service, parsed.data as unknown[]);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toWire(error) };
    }
  }

  subscribe(domain: string, event: string, listener: (payload: unknown) => void): Disposable {
    if (!isDomainName(domain) || !isEventName(domain, event)) {
      throw new AppError('UNKNOWN_METHOD', `There is no event ${domain}.${event} in the contract.`);
    }
    const service = this.services[domain] as unknown as Record<string, AnyEvent>;
    return service[event]!.call(service, listener);
  }

  /** Serves one client (a WebSocket, a webContents, an in-memory peer). */
  connect(send: (message: ServerMessage) => void): ConnectionHandler {
    return new ConnectionHandler(this, send);
  }
}

export class ConnectionHandler {
  private readonly subscriptions = new Map<string, Disposable>();
  private closed = false;

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly send: (message: ServerMessage) => void,
  ) {}

  /**
   * Handles one raw message. A call resolves to its result message (the caller sends it, or
   * returns it, as its transport needs); a (un)subscribe resolves to undefined.
   */
  async handle(raw: unknown): Promise<ServerMessage | undefined> {
    const parsed = clientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'number' ? raw.id : -1;
      return {
        type: 'result',
        id,
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: 'The message is not a valid Nestlab RPC message.' },
      };
    }
    const message = parsed.data;
    if (message.type === 'call') {
      const result = await this.dispatcher.call(message.domain, message.method, message.args);
      return { type: 'result', id: message.id, ...result };
    }
    const key = `${message.domain}.${message.event}`;
    if (message.type === 'subscribe') {
      if (this.closed || this.subscriptions.has(key)) return undefined;
      try {
        const subscription = this.dispatcher.subscribe(message.domain, message.event, (payload) => {
          this.send({ type: 'event', domain: message.domain, event: message.event, payload });
        });
        this.subscriptions.set(key, subscription);
      } catch {
        // Unknown events are ignored: there is nothing to answer a subscription with.
      }
      return undefined;
    }
    this.subscriptions.get(key)?.dispose();
    this.subscriptions.delete(key);
    return undefined;
  }

  /** Drops every subscription of this client. */
  close(): void {
    this.closed = true;
    for (const subscription of this.subscriptions.values()) subscription.dispose();
    this.subscriptions.clear();
  }
}

function toWire(error: unknown): SerializedError {
  return AppError.from(error).toJSON();
}

function describeIssues(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}
