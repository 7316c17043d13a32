import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import type { KubeletNode, KubeletPod } from './kubelet-pods.js';
import { matches } from './kubelet-pods.js';
import type { ContainerFilter } from './kubelet-pods.js';
import type { PodWebServers } from './pod-web-servers.js';
import { SpdySession } from './spdy-session.js';
import { chooseProtocol, refuse } from './upgrade-responses.js';
import type { SpdyStream } from './spdy-session.js';

/** What a test can see about one forwarded connection. */
export interface PortForwardRecord {
  id: number;
  node: string;
  namespace: string;
  pod: string;
  port: number;
  /** `spdy` (kubectl, after its WebSocket tunnel was refused) or `websocket` (v4.channel.k8s.io, client-node). */
  protocol: 'spdy' | 'websocket';
  bytesToPod: number;
  bytesFromPod: number;
  /** The error sent to the client on the port's error stream, if any. */
  error?: string;
  closed: boolean;
}

/** kubelet's WebSocket port-forward protocol: per port, channel 2n carries data and 2n+1 errors. */
const WEBSOCKET_PROTOCOLS = ['v4.channel.k8s.io'] as const;
const SPDY_PROTOCOL = 'portforward.k8s.io';

/**
 * Port-forward of the simulated kubelets, reaching {@link PodWebServers}. kube-apiserver 1.20
 * passes the client's upgrade through unchanged, so the kubelet speaks the client's protocol:
 * - SPDY/3.1 with X-Stream-Protocol-Version portforward.k8s.io: kubectl. kubectl 1.32 first asks
 *   for a WebSocket tunnel (subprotocol SPDY/3.1+portforward.k8s.io); a 1.20 kubelet refuses it
 *   with 400, which makes kubectl fall back to plain SPDY. This one does the same.
 * - WebSocket v4.channel.k8s.io with the ports in the query: @kubernetes/client-node's PortForward.
 */
export class PortForwarding {
  private readonly records: PortForwardRecord[] = [];
  private readonly sessions = new Set<SpdySession>();
  private readonly sockets = new Set<Socket>();
  private readonly webSockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => chooseProtocol(offered, WEBSOCKET_PROTOCOLS),
  });
  private nextId = 1;

  constructor(private readonly servers: PodWebServers) {}

  list(filter?: Omit<ContainerFilter, 'container'>): PortForwardRecord[] {
    return this.records.filter((record) => matches(filter, { ...record, container: '' })).map((record) => ({ ...record }));
  }

  upgrade(pod: KubeletPod, node: KubeletNode, req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const upgrade = (req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'websocket') {
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      const ports = [...url.searchParams.getAll('port'), ...url.searchParams.getAll('ports')].flatMap((p) => p.split(',')).map(Number);
      if (chooseProtocol(new Set(offered), WEBSOCKET_PROTOCOLS) === false) {
        // wsstream's refusal, word for word; kubectl takes the 400 as "fall back to SPDY".
        refuse(socket, 400, `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${WEBSOCKET_PROTOCOLS.join(' ')}]`);
        return;
      }
      if (ports.length === 0 || ports.some((port) => !Number.isInteger(port) || port < 1 || port > 65_535)) {
        refuse(socket, 400, 'query parameter "port" is required: one or more ports from 1 to 65535');
        return;
      }
      this.webSockets.handleUpgrade(req, socket, head, (ws) => this.serveWebSocket(ws, pod, node, ports));
      return;
    }
    const version = String(req.headers['x-stream-protocol-version'] ?? '');
    if (upgrade !== 'spdy/3.1' || !version.split(',').some((v) => v.trim() === SPDY_PROTOCOL)) {
      refuse(socket, 400, `unable to upgrade: expected Upgrade: SPDY/3.1 and X-Stream-Protocol-Version: ${SPDY_PROTOCOL}`);
      return;
    }
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${SPDY_PROTOCOL}\r\n\r\n`,
    );
    const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
    const session = new SpdySession(socket, (stream) => {
      const type = stream.headers.streamtype;
      if (type !== 'data' && type !== 'error') {
        stream.reset();
        return;
      }
      const key = stream.headers.requestid ?? stream.headers.port ?? '';
      const pair = pairs.get(key) ?? {};
      pair[type] = stream;
      pairs.set(key, pair);
      // kubelet waits for both streams of a request before it forwards.
      if (pair.data !== undefined && pair.error !== undefined) {
        pairs.delete(key);
        void this.forwardSpdy(pod, node, pair.data, pair.error);
      }
    });
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    if (head.length > 0) socket.unshift(head);
  }

  stop(): void {
    for (const session of this.sessions) session.close();
    for (const client of this.webSockets.clients) client.terminate();
    for (const socket of this.sockets) socket.destroy();
  }

  private async forwardSpdy(pod: KubeletPod, node: KubeletNode, data: SpdyStream, error: SpdyStream): Promise<void> {
    const port = Number(data.headers.port);
    const record = this.record(pod, node, port, 'spdy');
    const fail = (message: string): void => {
      record.error = message;
      record.closed = true;
      error.write(message);
      error.end();
      data.end();
    };
    const target = await this.connectTo(pod, port).catch((problem: Error) => problem);
    if (target instanceof Error) {
      fail(target.message);
      return;
    }
    data.onData((chunk) => {
      record.bytesToPod += chunk.length;
      target.write(chunk);
    });
    data.onEnd(() => target.end());
    data.onReset(() => target.destroy());
    error.onReset(() => target.destroy());
    target.on('data', (chunk: Buffer) => {
      record.bytesFromPod += chunk.length;
      data.write(chunk);
    });
    target.on('end', () => data.end());
    target.on('close', () => {
      record.closed = true;
      data.end();
      error.end();
    });
  }

  private serveWebSocket(ws: WebSocket, pod: KubeletPod, node: KubeletNode, ports: number[]): void {
    const targets: (Socket | undefined)[] = [];
    // Data the client sends before the pod-side connection is up waits here.
    const early: Buffer[][] = ports.map(() => []);
    const prefix = (channel: number, port: number): Buffer => Buffer.from([channel, port & 0xff, port >> 8]);
    const records = ports.map((port) => this.record(pod, node, port, 'websocket'));
    ws.on('message', (message: Buffer) => {
      const channel = message[0] ?? -1;
      const index = channel / 2;
      const record = records[index];
      if (record === undefined || message.length < 2) return; // error channels and unknown ones carry nothing upstream
      record.bytesToPod += message.length - 1;
      const target = targets[index];
      if (target === undefined) early[index]?.push(message.subarray(1));
      else target.write(message.subarray(1));
    });
    ws.on('close', () => {
      for (const target of targets) target?.destroy();
    });
    ports.forEach((port, index) => {
      const record = records[index]!;
      // Each channel's first message is its port, little-endian (kubelet's v4 port-forward).
      ws.send(prefix(index * 2, port));
      ws.send(prefix(index * 2 + 1, port));
      this.connectTo(pod, port).then(
        (target) => {
          if (ws.readyState !== ws.OPEN) {
            target.destroy();
            return;
          }
          targets[index] = target;
          for (const chunk of early[index]?.splice(0) ?? []) target.write(chunk);
          target.on('data', (chunk: Buffer) => {
            record.bytesFromPod += chunk.length;
            ws.send(Buffer.concat([Buffer.from([index * 2]), chunk]));
          });
          target.on('close', () => {
            record.closed = true;
            ws.close(1000);
          });
        },
        (problem: Error) => {
          record.error = problem.message;
          record.closed = true;
          ws.send(Buffer.concat([Buffer.from([index * 2 + 1]), Buffer.from(problem.message)]));
          ws.close(1000);
        },
      );
    });
  }

  /** Connects to the pod's stand-in server, refusing ports the pod does not declare (when it declares any). */
  private async connectTo(pod: KubeletPod, port: number): Promise<Socket> {
    const declared = pod.containers.flatMap((container) => container.ports);
    if (declared.length > 0 && !declared.includes(port)) {
      // containerd's words when nothing listens on the port in the pod's network namespace.
      throw new Error(
        `error forwarding port ${port} to pod ${pod.uid}, uid : failed to execute portforward in network namespace "/var/run/netns/cni-${pod.uid}": failed to connect to localhost:${port} inside namespace "${pod.uid}", IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused`,
      );
    }
    const local = await this.servers.portFor(pod);
    return new Promise((resolve, reject) => {
      const socket = connect(local, '127.0.0.1', () => resolve(socket));
      socket.on('error', reject); // after connecting, 'close' follows and cleans up
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  private record(pod: KubeletPod, node: KubeletNode, port: number, protocol: PortForwardRecord['protocol']): PortForwardRecord {
    const record: PortForwardRecord = {
      id: this.nextId++,
      node: node.name,
      namespace: pod.namespace,
      pod: pod.name,
      port,
      protocol,
      bytesToPod: 0,
      bytesFromPod: 0,
      closed: false,
    };
    this.records.push(record);
    return record;
  }
}
