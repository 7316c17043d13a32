import { ipcMain, type WebContents } from 'electron';
import type { Dispatcher, ConnectionHandler } from '../../shared/rpc/dispatcher';
import { ipcChannels } from '../../shared/rpc/messages';
import { isAppFrameUrl, type AppOrigin } from './security-policy';

/**
 * The Electron transport: one invoke channel (calls and (un)subscriptions) and one event
 * channel. Every message's sender frame must be the app's own page.
 */
export function serveIpc(dispatcher: Dispatcher, appOrigin: AppOrigin): void {
  const connections = new Map<number, ConnectionHandler>();

  function connectionFor(contents: WebContents): ConnectionHandler {
    let connection = connections.get(contents.id);
    if (!connection) {
      const handler = dispatcher.connect((message) => {
        if (!contents.isDestroyed()) contents.send(ipcChannels.event, message);
      });
      connections.set(contents.id, handler);
      contents.once('destroyed', () => {
        handler.close();
        connections.delete(contents.id);
      });
      connection = handler;
    }
    return connection;
  }

  ipcMain.handle(ipcChannels.invoke, async (event, message: unknown) => {
    if (!isAppFrameUrl(event.senderFrame?.url, appOrigin)) {
      return { ok: false, error: { code: 'UNAUTHORIZED_CALLER', message: 'Refused: the caller is not a Nestlab page.' } };
    }
    const reply = await connectionFor(event.sender).handle(message);
    // Calls answer with their result; (un)subscriptions with nothing.
    return reply?.type === 'result' ? reply : undefined;
  });
}
