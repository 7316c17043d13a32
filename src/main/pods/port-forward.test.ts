import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { AppError } from '../../shared/errors';
import { PortForwarder } from './port-forward';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function listening(server: Server): Promise<KubeConfig> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const config = new KubeConfig();
  config.loadFromOptions({
    // Plain HTTP on loopback: client-node allows it only with skipTLSVerify.
    clusters: [{ name: 'lab', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'lab', token: 'token-0123456789' }],
    contexts: [{ name: 'lab', cluster: 'lab', user: 'lab' }],
    currentContext: 'lab',
  });
  return config;
}

/** A forwarder on a free port whose errors and connection counts are kept. */
async function forwarder(kubeconfig: KubeConfig) {
  const errors: AppError[] = [];
  const counts: number[] = [];
  const forward = await PortForwarder.listen({
    kubeconfig,
    namespace: 'default',
    pod: 'web-0',
    podPort: 80,
    localPort: 0,
    onConnections: (count) => counts.push(count),
    onError: (error) => errors.push(error),
  });
  closers.push(() => forward.close());
  return { forward, errors, counts };
}

/** Sends `text` through the forwarded port and reads until the forward closes the connection. */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

describe('port-forward', () => {
  it('maps a refused upgrade with the shared diagnosis, naming the target, and counts the connection out again', async () => {
    const server = createServer();
    const status = {
      kind: 'Status',
      message: 'pods "web-0" is forbidden: User "viewer" cannot create resource "pods/portforward"',
      reason: 'Forbidden',
      code: 403,
    };
    const body = JSON.stringify(status);
    server.on('upgrade', (_request, socket) => {
      socket.end(
        `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    const { forward, errors, counts } = await forwarder(await listening(server));
    await exchange(forward.localPort, 'GET / HTTP/1.0\r\n\r\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe('FORBIDDEN');
    expect(errors[0]!.message).toMatch(/^Forwarding to default\/web-0:80: /);
    expect(errors[0]!.details).toMatchObject({ status: 403, fix: expect.any(String) as unknown });
    expect(counts).toEqual([1, 0]);
  });

  it("carries data on channel 0 from the first frame after the upgrade, and reports the kubelet's error text", async () => {
    const server = createServer();
    const sockets = new WebSocketServer({
      server,
      handleProtocols: (protocols) => (protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false),
    });
    closers.push(() => new Promise<void>((resolve) => sockets.close(() => resolve())));
    const requests: { url: string | undefined; authorization: string | undefined }[] = [];
    sockets.on('connection', (ws, request) => {
      requests.push({ url: request.url, authorization: request.headers.authorization });
      // The port prefixes go out at once, as the kubelet sends them, often in the upgrade's own packet.
      ws.send(Buffer.from([0, 80, 0]));
      ws.send(Buffer.from([1, 80, 0]));
      ws.on('message', (data: Buffer) => {
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(`echo:${data.subarray(1).toString('utf8')}`)]));
        ws.send(Buffer.concat([Buffer.from([1]), Buffer.from('connection refused on port 80')]));
        ws.close();
      });
    });
    const { forward, errors, counts } = await forwarder(await listening(server));
    expect(await exchange(forward.localPort, 'hello')).toBe('echo:hello');
    expect(requests).toEqual([
      { url: '/api/v1/namespaces/default/pods/web-0/portforward?ports=80', authorization: 'Bearer token-0123456789' },
    ]);
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ['UNREACHABLE', 'Forwarding to default/web-0:80 failed: connection refused on port 80'],
    ]);
    expect(counts).toEqual([1, 0]);
  });
});
