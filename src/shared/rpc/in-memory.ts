/**
 * The in-memory transport for tests: a client and a dispatcher in one process, with every
 * message passed through JSON so tests see exactly what a real transport would carry.
 */
import { createClient, type Api } from './client';
import type { Dispatcher } from './dispatcher';
import { MessageTransport } from './message-transport';
import type { ClientMessage, ServerMessage } from './messages';

export function connectInMemory(dispatcher: Dispatcher): { api: Api; close(): void } {
  const transport = new MessageTransport();
  const toClient = (message: ServerMessage) => transport.receive(roundTrip(message));
  const connection = dispatcher.connect(toClient);
  transport.attach((message: ClientMessage) => {
    void connection.handle(roundTrip(message)).then((reply) => {
      if (reply) toClient(reply);
    });
  });
  return {
    api: createClient(transport),
    close: () => {
      connection.close();
      transport.detach();
    },
  };
}

function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
