/**
 * Browser mode's transport: a WebSocket to the Nestlab server carrying the RPC envelope, with
 * reconnection (capped backoff) and a clear "refused" state when the token is wrong, which a
 * failed WebSocket cannot tell by itself: /api/session answers that.
 */
import { Emitter } from '../../shared/event';
import { fromBinaryFrame } from '../../shared/rpc/binary-frame';
import { MessageTransport } from '../../shared/rpc/message-transport';
import type { ServerMessage } from '../../shared/rpc/messages';
import type { ConnectionState } from './connection-state';

const rpcProtocol = 'nestlab.rpc.v1';
const tokenProtocolPrefix = 'nestlab.token.';
const maxRetryMs = 5_000;

export class WebSocketConnection {
  readonly transport = new MessageTransport();
  private readonly stateChanged = new Emitter<ConnectionState>();
  readonly onDidChangeState = this.stateChanged.event;
  private current: ConnectionState = { status: 'connecting' };
  private attempt = 0;

  constructor(
    private readonly origin: { host: string; protocol: string },
    private readonly token: string | undefined,
  ) {}

  get state(): ConnectionState {
    return this.current;
  }

  start(): void {
    if (!this.token) {
      this.setState({
        status: 'refused',
        message: 'No access token. Open the full URL that `npm run start:web` printed (it ends in #token=...).',
      });
      return;
    }
    this.open(this.token);
  }

  private open(token: string): void {
    const scheme = this.origin.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${this.origin.host}/rpc`, [rpcProtocol, tokenProtocolPrefix + token]);
    // Terminal output arrives as binary frames; an ArrayBuffer avoids a Blob's asynchronous read.
    socket.binaryType = 'arraybuffer';
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.transport.attach((message) => socket.send(JSON.stringify(message)));
      this.setState({ status: 'connected', transport: 'websocket' });
    };
    socket.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
      if (typeof event.data === 'string') {
        this.transport.receive(JSON.parse(event.data) as ServerMessage);
        return;
      }
      let message: ServerMessage;
      try {
        message = fromBinaryFrame(new Uint8Array(event.data));
      } catch (error) {
        // A frame this page cannot read (a server of another version) is dropped, not guessed at.
        console.error(error instanceof Error ? error.message : error);
        return;
      }
      this.transport.receive(message);
    };
    socket.onclose = () => {
      this.transport.detach();
      void this.afterClose(token, opened);
    };
  }

  private async afterClose(token: string, hadOpened: boolean): Promise<void> {
    if (!hadOpened) {
      const refusal = await this.askWhyRefused(token);
      if (refusal) {
        this.setState({ status: 'refused', message: refusal });
        return;
      }
    }
    this.attempt += 1;
    const retryInMs = Math.min(maxRetryMs, 250 * 2 ** Math.min(this.attempt, 5));
    this.setState({ status: 'reconnecting', attempt: this.attempt, retryInMs });
    setTimeout(() => this.open(token), retryInMs);
  }

  /** The server's refusal message when it refuses this page; undefined when it is just down. */
  private async askWhyRefused(token: string): Promise<string | undefined> {
    try {
      const response = await fetch('/api/session', { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
      if (response.status === 204) return undefined;
      const body = (await response.json()) as { message?: unknown };
      return typeof body.message === 'string' ? body.message : `Refused by the server (HTTP ${response.status}).`;
    } catch {
      return undefined;
    }
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    this.stateChanged.fire(state);
  }
}
