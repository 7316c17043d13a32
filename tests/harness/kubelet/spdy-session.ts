import type { Duplex } from 'node:stream';
import { constants, inflateRawSync } from 'node:zlib';
import { SPDY_DICTIONARY, SPDY_DICTIONARY_ID } from './spdy-dictionary.js';

/**
 * The server side of a SPDY/3.1 session, just enough for Kubernetes port-forward the way kubelet
 * serves it (kubectl's SPDY client: moby/spdystream): the client opens streams (SYN_STREAM with
 * headers), the server replies (SYN_REPLY), both send data frames and close their side with FIN.
 * PING is echoed. No flow control: spdystream does not enforce windows either.
 */
export class SpdySession {
  private pending: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  /** Inflated header bytes so far (last 32 KiB): the window later header blocks refer back to. */
  private window: Buffer = SPDY_DICTIONARY;
  private inboundHeaderStarted = false;
  private outboundHeaderStarted = false;
  private closed = false;

  constructor(
    private readonly socket: Duplex,
    private readonly onStream: (stream: SpdyStream) => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.shutDown());
    socket.on('error', () => this.shutDown());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.shutDown();
    this.socket.destroy();
  }

  /** @internal */
  sendData(streamId: number, data: Buffer, fin: boolean): void {
    if (this.closed) return;
    // A data frame carries at most 2^24 - 1 bytes.
    let offset = 0;
    do {
      const chunk = data.subarray(offset, offset + MAX_DATA);
      offset += chunk.length;
      const header = Buffer.alloc(8);
      header.writeUInt32BE(streamId & 0x7fff_ffff, 0);
      header.writeUInt32BE(chunk.length, 4);
      header[4] = fin && offset >= data.length ? FLAG_FIN : 0;
      this.socket.write(Buffer.concat([header, chunk]));
    } while (offset < data.length);
  }

  /** @internal */
  sendReset(streamId: number, status: number): void {
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(streamId & 0x7fff_ffff, 0);
    payload.writeUInt32BE(status, 4);
    this.sendControl(FrameType.rstStream, 0, payload);
  }

  /** @internal */
  forget(streamId: number): void {
    this.streams.delete(streamId);
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (!this.closed && this.pending.length >= 8) {
      const length = this.pending.readUIntBE(5, 3);
      if (this.pending.length < 8 + length) return;
      const frame = this.pending.subarray(0, 8 + length);
      this.pending = this.pending.subarray(8 + length);
      try {
        this.handleFrame(frame);
      } catch (error) {
        // A frame we cannot parse ends the session, as a protocol error would.
        this.socket.destroy(error as Error);
        this.shutDown();
      }
    }
  }

  private handleFrame(frame: Buffer): void {
    const flags = frame[4] ?? 0;
    const payload = frame.subarray(8);
    if ((frame[0] ?? 0) & 0x80) {
      const type = frame.readUInt16BE(2);
      if (type === FrameType.synStream) this.handleSynStream(payload, flags);
      else if (type === FrameType.rstStream) this.streams.get(payload.readUInt32BE(0) & 0x7fff_ffff)?.remoteReset();
      else if (type === FrameType.ping) this.sendControl(FrameType.ping, 0, payload);
      else if (type === FrameType.goAway) this.close();
      else if (type === FrameType.headers) this.inflateHeaders(payload.subarray(4));
      // SETTINGS and WINDOW_UPDATE need no answer here.
      return;
    }
    const stream = this.streams.get(frame.readUInt32BE(0) & 0x7fff_ffff);
    if (stream === undefined) return;
    if (payload.length > 0) stream.remoteData(Buffer.from(payload));
    if (flags & FLAG_FIN) stream.remoteFin();
  }

  private handleSynStream(payload: Buffer, flags: number): void {
    const id = payload.readUInt32BE(0) & 0x7fff_ffff;
    const headers = this.inflateHeaders(payload.subarray(10));
    const stream = new SpdyStream(this, id, headers);
    this.streams.set(id, stream);
    // kubelet replies to every stream at once, with no headers.
    const reply = Buffer.alloc(4);
    reply.writeUInt32BE(id, 0);
    this.sendControl(FrameType.synReply, 0, Buffer.concat([reply, this.compressHeaders()]));
    if (flags & FLAG_FIN) stream.remoteFin();
    this.onStream(stream);
  }

  /**
   * Inflates one header block. The client's zlib stream spans the whole session, but each block
   * ends on a sync flush, so it is complete raw deflate once given the window of what came
   * before (dictionary plus earlier headers) as its dictionary.
   */
  private inflateHeaders(block: Buffer): Record<string, string> {
    let deflate = block;
    if (!this.inboundHeaderStarted) {
      if (block.length < 6 || (block[1]! & 0x20) === 0 || block.readUInt32BE(2) !== SPDY_DICTIONARY_ID) {
        throw new Error('SPDY header block does not start a zlib stream with the SPDY/3 dictionary');
      }
      this.inboundHeaderStarted = true;
      deflate = block.subarray(6);
    }
    const inflated = inflateRawSync(deflate, { dictionary: this.window, finishFlush: constants.Z_SYNC_FLUSH });
    this.window = Buffer.concat([this.window, inflated]).subarray(-32_768);
    return parseHeaderBlock(inflated);
  }

  /**
   * An empty header block (no name/value pairs) as zlib data the peer can inflate: the stream
   * header with the dictionary's id the first time, then the block stored uncompressed, then an
   * empty stored block as a sync flush ends it. Go's inflater needs that empty block: without it,
   * it reads on past the frame for the next block and fails the session.
   */
  private compressHeaders(): Buffer {
    const block = Buffer.from([0, 0, 0, 0]); // zero name/value pairs
    const stored = Buffer.from([0x00, block.length, 0x00, ~block.length & 0xff, 0xff]);
    const syncFlush = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
    if (this.outboundHeaderStarted) return Buffer.concat([stored, block, syncFlush]);
    this.outboundHeaderStarted = true;
    const dictionaryId = Buffer.alloc(4);
    dictionaryId.writeUInt32BE(SPDY_DICTIONARY_ID);
    // CMF 0x78 (deflate, 32 KiB window); FLG 0xbb: FDICT set, level 2, check bits make it divisible by 31.
    return Buffer.concat([Buffer.from([0x78, 0xbb]), dictionaryId, stored, block, syncFlush]);
  }

  private sendControl(type: number, flags: number, payload: Buffer): void {
    if (this.closed) return;
    const header = Buffer.alloc(8);
    header.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
    header.writeUInt16BE(type, 2);
    header.writeUInt32BE(payload.length, 4);
    header[4] = flags;
    this.socket.write(Buffer.concat([header, payload]));
  }

  private shutDown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of [...this.streams.values()]) stream.remoteReset();
    this.streams.clear();
  }
}

/** One SPDY stream of a session, as the server sees it. */
export class SpdyStream {
  private readonly dataListeners: ((data: Buffer) => void)[] = [];
  private readonly endListeners: (() => void)[] = [];
  private readonly resetListeners: (() => void)[] = [];
  /** Data that arrived before anyone listened (the handler may still be connecting to the pod). */
  private early: Buffer[] = [];
  private localFin = false;
  private remoteFinished = false;
  private wasReset = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    /** Header names in lower case, as SPDY/3 requires. */
    readonly headers: Record<string, string>,
  ) {}

  /** Data from the client; what arrived before the first listener is delivered to it at once. */
  onData(listener: (data: Buffer) => void): void {
    this.dataListeners.push(listener);
    for (const data of this.early.splice(0)) listener(data);
  }

  /** The client will send no more data (FIN); called at once if that already happened. */
  onEnd(listener: () => void): void {
    this.endListeners.push(listener);
    if (this.remoteFinished) listener();
  }

  /** The stream was reset or the session ended; called at once if that already happened. */
  onReset(listener: () => void): void {
    this.resetListeners.push(listener);
    if (this.wasReset) listener();
  }

  write(data: Buffer | string): void {
    if (this.localFin || this.wasReset) return;
    this.session.sendData(this.id, typeof data === 'string' ? Buffer.from(data) : data, false);
  }

  /** Closes our side (FIN). */
  end(): void {
    if (this.localFin || this.wasReset) return;
    this.localFin = true;
    this.session.sendData(this.id, Buffer.alloc(0), true);
    this.forgetWhenDone();
  }

  reset(status = RST_CANCEL): void {
    if (this.wasReset) return;
    this.wasReset = true;
    this.session.sendReset(this.id, status);
    this.session.forget(this.id);
  }

  /** @internal */
  remoteData(data: Buffer): void {
    if (this.dataListeners.length === 0) this.early.push(data);
    for (const listener of this.dataListeners) listener(data);
  }

  /** @internal */
  remoteFin(): void {
    if (this.remoteFinished) return;
    this.remoteFinished = true;
    for (const listener of this.endListeners) listener();
    this.forgetWhenDone();
  }

  /** @internal */
  remoteReset(): void {
    if (this.wasReset) return;
    this.wasReset = true;
    this.session.forget(this.id);
    for (const listener of this.resetListeners) listener();
  }

  private forgetWhenDone(): void {
    if (this.localFin && this.remoteFinished) this.session.forget(this.id);
  }
}

/** Name/value header block: a 32-bit count, then 32-bit length-prefixed names and values. */
function parseHeaderBlock(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let offset = 0;
  const take = (): string => {
    const length = block.readUInt32BE(offset);
    offset += 4;
    if (offset + length > block.length) throw new Error('truncated SPDY header block');
    const text = block.toString('latin1', offset, offset + length);
    offset += length;
    return text;
  };
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i += 1) {
    const name = take();
    headers[name.toLowerCase()] = take();
  }
  return headers;
}

const SPDY_VERSION = 3;
const FLAG_FIN = 0x01;
const MAX_DATA = 0xff_ffff;
const RST_CANCEL = 5;
const FrameType = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;
