/**
 * For slice tests: the app store on the real RPC client and dispatcher (the in-memory transport,
 * every message through JSON and every argument through the contract's schemas), so a slice sees
 * exactly what the WebSocket transport would carry. The test services stand in for the main
 * process; a test replaces the domains it scripts.
 */
import type { Services } from '../../shared/contract';
import { Dispatcher } from '../../shared/rpc/dispatcher';
import { connectInMemory } from '../../shared/rpc/in-memory';
import { createTestServices } from '../../../tests/doubles/test-services';
import { createAppStore, type StoreDeps } from './app-store';

export function storeOver(replace: (services: Services) => Partial<Services> = () => ({}), options: Omit<StoreDeps, 'api'> = {}) {
  const services = createTestServices();
  const link = connectInMemory(new Dispatcher({ ...services, ...replace(services) }));
  return { store: createAppStore({ ...options, api: link.api }), api: link.api, close: () => link.close() };
}
