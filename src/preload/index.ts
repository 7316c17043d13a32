/**
 * The preload: one object, `window.nestlab`, with invoke and subscribe for names in the
 * contract and nothing else. Built as one CommonJS file so it runs in the sandbox.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isDomainName, isEventName, isMethodName } from '../shared/contract';
import { ipcChannels, type ServerMessage } from '../shared/rpc/messages';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(ipcChannels.event, (_event: IpcRendererEvent, message: ServerMessage) => {
  if (message.type !== 'event') return;
  for (const listener of listeners.get(`${message.domain}.${message.event}`) ?? []) listener(message.payload);
});

const bridge = {
  invoke(domain: string, method: string, args: unknown[]): Promise<unknown> {
    if (!isDomainName(domain) || !isMethodName(domain, method) || !Array.isArray(args)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'UNKNOWN_METHOD', message: `There is no method ${String(domain)}.${String(method)}.` },
      });
    }
    return ipcRenderer.invoke(ipcChannels.invoke, { type: 'call', id: 0, domain, method, args });
  },
  subscribe(domain: string, event: string, listener: Listener): () => void {
    if (!isDomainName(domain) || !isEventName(domain, event) || typeof listener !== 'function') {
      throw new TypeError(`There is no event ${String(domain)}.${String(event)}.`);
    }
    const key = `${domain}.${event}`;
    let set = listeners.get(key);
    if (!set) {
      set = new Set();
      listeners.set(key, set);
      void ipcRenderer.invoke(ipcChannels.invoke, { type: 'subscribe', domain, event });
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && listeners.get(key) === set) {
        listeners.delete(key);
        void ipcRenderer.invoke(ipcChannels.invoke, { type: 'unsubscribe', domain, event });
      }
    };
  },
};

export type NestlabBridge = typeof bridge;

contextBridge.exposeInMainWorld('nestlab', bridge);
