import { Emitter, type Event } from '../../shared/event';
import { createClient, type Api } from '../../shared/rpc/client';
import type { ConnectionState } from './connection-state';
import { createIpcTransport } from './ipc-transport';
import { takeToken } from './token';
import { WebSocketConnection } from './websocket-connection';

export interface Connection {
  api: Api;
  state: () => ConnectionState;
  onDidChangeState: Event<ConnectionState>;
  start(): void;
}

/** Picks the transport: the preload's bridge in Electron, a WebSocket in browser mode. */
export function connect(): Connection {
  if (window.nestlab) {
    const state: ConnectionState = { status: 'connected', transport: 'ipc' };
    return {
      api: createClient(createIpcTransport(window.nestlab)),
      state: () => state,
      onDidChangeState: new Emitter<ConnectionState>().event,
      start: () => undefined,
    };
  }
  // A new launch URL pasted into this tab changes only the fragment: reload to take its token.
  // (newURL, not location.hash: popstate handlers may already have rewritten the fragment.)
  window.addEventListener('hashchange', (event) => {
    const pasted = new URL(event.newURL);
    if (!pasted.hash.includes('token=')) return;
    takeToken(pasted, window.history, window.sessionStorage);
    window.location.reload();
  });
  const socket = new WebSocketConnection(window.location, takeToken(window.location, window.history, window.sessionStorage));
  return {
    api: createClient(socket.transport),
    state: () => socket.state,
    onDidChangeState: socket.onDidChangeState,
    start: () => socket.start(),
  };
}
