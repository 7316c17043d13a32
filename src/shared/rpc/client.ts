/**
 * The calling side: a typed client (`api.system.info()`) built from the contract's name lists
 * over any Transport. Callers never see which transport they are on.
 */
import { AppError } from '../errors';
import type { Disposable } from '../event';
import { contract, type DomainName, type Services } from '../contract';

/** What a transport must do; errors reject as AppError. */
export interface Transport {
  invoke(domain: string, method: string, args: unknown[]): Promise<unknown>;
  subscribe(domain: string, event: string, listener: (payload: unknown) => void): Disposable;
}

export type Api = Services;

export function createClient(transport: Transport): Api {
  const api: Record<string, Record<string, unknown>> = {};
  for (const domain of Object.keys(contract) as DomainName[]) {
    const stub: Record<string, unknown> = {};
    for (const method of contract[domain].methods as readonly string[]) {
      stub[method] = (...args: unknown[]) => transport.invoke(domain, method, args);
    }
    for (const event of contract[domain].events as readonly string[]) {
      stub[event] = (listener: (payload: unknown) => void) => transport.subscribe(domain, event, listener);
    }
    api[domain] = Object.freeze(stub);
  }
  return Object.freeze(api) as unknown as Api;
}

/** Throws the AppError a failed call carried, returns the value otherwise. */
export function unwrapResult(result: unknown): unknown {
  if (typeof result === 'object' && result !== null && 'ok' in result) {
    // A method that resolves to undefined has no `value` once JSON has carried it (WebSocket).
    if (result.ok === true) return 'value' in result ? result.value : undefined;
    if (result.ok === false && 'error' in result) throw AppError.fromJSON(result.error);
  }
  throw new AppError('INTERNAL', 'The main process answered in an unknown shape.');
}
