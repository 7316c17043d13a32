/**
 * The in-memory transport for tests: a client and a dispatcher in one process, with every
 * message passed through JSON (terminal output through its binary frame) so tests see exactly
 * what the WebSocket transport would carry.
 */
import { fromBinaryFrame, toBinaryFrame } from './binary-frame';
import { createClient, type Api } from './client';
import type { Dispatcher } from './dispatcher';
import { MessageTransport } from './message-transport';
import type { ClientMessage, ServerMessage } from './messages';

export function connectInMemory(dispatcher: Dispatcher): { api: Api; close(): void } {
  const transport = new MessageTransport();
  const toClient = (message: ServerMessage) => {
    // Encoding copies the bytes, as a socket would: the receiver never shares the sender's buffer.
    const frame = toBinaryFrame(message);
    transport.receive(frame ? fromBinaryFrame(frame) : roundTrip(message));
  };
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
