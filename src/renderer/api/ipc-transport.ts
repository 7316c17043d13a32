import { unwrapResult, type Transport } from '../../shared/rpc/client';

/** The Electron transport: the preload's bridge, with results rebuilt as AppError. */
export function createIpcTransport(bridge: NestlabBridge): Transport {
  return {
    invoke: async (domain, method, args) => unwrapResult(await bridge.invoke(domain, method, args)),
    subscribe: (domain, event, listener) => {
      const unsubscribe = bridge.subscribe(domain, event, listener);
      return { dispose: unsubscribe };
    },
  };
}
