import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** First protocol of ours that the client offered, in our order of preference. */
export function chooseProtocol(offered: Set<string>, ours: readonly string[]): string | false {
  return ours.find((protocol) => offered.has(protocol)) ?? false;
}

/** Answers an upgrade request with a plain HTTP error and closes the connection. */
export function refuse(socket: Duplex, status: number, text: string): void {
  const body = Buffer.from(text);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${text}`,
  );
}
