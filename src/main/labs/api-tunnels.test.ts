import { once } from 'node:events';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../../tests/harness/certs';
import { LabApiTunnels, probeTls } from './api-tunnels';
import { tempDir } from '../../../tests/harness/temp-dir';

const servers: Server[] = [];
const accepted: Socket[] = [];
afterEach(async () => {
  for (const socket of accepted.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function listening<T extends Server>(server: T): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function certificate(sans: string[]) {
  return selfSignedCertificate({ dir: await tempDir('probe'), name: 'server', commonName: 'probe', sans });
}

describe('the probe of a lab host port', () => {
  it('a TLS server answers, even with a certificate the CA does not check (the kubeconfig step then says why)', async () => {
    const own = await certificate(['IP:127.0.0.1']);
    const other = await certificate(['DNS:elsewhere.example']);
    const port = await listening(createTlsServer({ cert: own.certPem, key: own.keyPem }, (socket) => socket.end()));
    expect(await probeTls('127.0.0.1', port, own.certPem)).toBeUndefined();
    expect(await probeTls('127.0.0.1', port, other.certPem)).toBeUndefined();
  });

  it('a port that accepts and never speaks TLS (a firewall or proxy in between), closes, or refuses does not', async () => {
    const silent = await listening(createTcpServer((socket) => accepted.push(socket)));
    expect(await probeTls('127.0.0.1', silent, 'no CA needed', 300)).toBe('no TLS answer within 300 ms');
    const closing = await listening(createTcpServer((socket) => socket.destroy()));
    expect(await probeTls('127.0.0.1', closing, 'no CA needed')).toMatch(/ECONNRESET|closed before the TLS handshake/);
    const refused = await listening(createTcpServer());
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await probeTls('127.0.0.1', refused, 'no CA needed')).toMatch(/^ECONNREFUSED: /);
  });
});

describe("the labs' SSH tunnels", () => {
  it('listen on the preferred port when free, else another; an exact port that is taken is refused; the same target is kept', async () => {
    const opened: string[] = [];
    const tunnels = new LabApiTunnels((hostId, address, port) => {
      opened.push(`${hostId} ${address}:${port}`);
      return Promise.resolve(new PassThrough());
    });
    const taken = await listening(createTcpServer());
    const target = { hostId: 'h1', address: '192.168.150.10', port: 6443 };
    const first = await tunnels.serve('lab1', target, taken, false);
    expect(first).not.toBe(taken);
    expect(await tunnels.serve('lab1', target, taken, false)).toBe(first);
    await expect(tunnels.serve('lab2', target, taken, true)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await tunnels.close('lab1');
    expect(await tunnels.serve('lab1', target, first, true)).toBe(first);
    expect(opened).toEqual([]);
    await tunnels.dispose();
  });
});
