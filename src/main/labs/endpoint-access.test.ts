import { once } from 'node:events';
import { connect, createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { PassThrough } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { FIRST_LAB_API_ADDRESS } from '../../shared/contract/labs';
import { selfSignedCertificate } from '../../../tests/harness/certs';
import { tempDir } from '../../../tests/harness/temp-dir';
import { LabEndpointAccess } from './endpoint-access';
import type { LabRecord } from './lab-store';
import type { StepContext } from './step-context';
import { testPlan } from './test-plans';

const servers: Server[] = [];
const endpoints: LabEndpointAccess[] = [];
afterEach(async () => {
  for (const access of endpoints.splice(0)) access.dispose();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function listening(server: Server): Promise<number> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on (it did a moment ago). */
async function closedPort(): Promise<number> {
  const port = await listening(createTcpServer());
  await new Promise((resolve) => servers.pop()?.close(resolve));
  return port;
}

/** Endpoint access whose tunnels' streams are recorded (target) and end at once. */
function access() {
  const opened: string[] = [];
  const endpoint = new LabEndpointAccess((hostId, address, port) => {
    opened.push(`${hostId} ${address}:${port}`);
    const stream = new PassThrough();
    stream.end();
    return Promise.resolve(stream);
  });
  endpoints.push(endpoint);
  return { endpoint, opened };
}

/** Whether 127.0.0.1:port takes a connection; waits for `opened` to grow when it does. */
async function connects(port: number, opened?: string[]): Promise<boolean> {
  const before = opened?.length ?? 0;
  const socket = connect(port, '127.0.0.1');
  const outcome = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
  });
  if (outcome && opened !== undefined) await expect.poll(() => opened.length).toBeGreaterThan(before);
  socket.destroy();
  return outcome;
}

function record(endpointAccess?: LabRecord['endpointAccess']): LabRecord {
  return {
    version: 1,
    id: 'lab-id',
    plan: testPlan(),
    status: 'running',
    machines: [],
    removing: [],
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...(endpointAccess === undefined ? {} : { endpointAccess }),
  };
}

function context(logged: string[]): StepContext {
  return { log: (text: string) => logged.push(text) } as unknown as StepContext;
}

describe('how this computer reaches a lab API server', () => {
  it("uses the host's port when it answers TLS, and goes through an SSH tunnel (named, with why) when it does not", async () => {
    const certificate = await selfSignedCertificate({
      dir: await tempDir('endpoint'),
      name: 'api',
      commonName: 'api',
      sans: ['IP:127.0.0.1'],
    });
    const answering = await listening(createTlsServer({ cert: certificate.certPem, key: certificate.keyPem }, (socket) => socket.end()));
    const silent = await closedPort();
    const { endpoint, opened } = access();
    const lab = record();
    const logged: string[] = [];

    const tunnelled = await endpoint.route(lab, context(logged), { host: '127.0.0.1', port: silent }, certificate.certPem);
    expect(tunnelled).toEqual({ host: '127.0.0.1', port: expect.any(Number) as number, tlsServerName: 'lab1-api.lab.internal' });
    expect(lab.endpointAccess).toEqual({
      mode: 'tunnel',
      server: `https://127.0.0.1:${tunnelled.port}`,
      localPort: tunnelled.port,
      tlsServerName: 'lab1-api.lab.internal',
      target: `${FIRST_LAB_API_ADDRESS}:6443`,
      reason: expect.stringMatching(new RegExp(`^port ${silent} of 127.0.0.1 did not answer from this computer \\(ECONNREFUSED`)) as string,
    });
    expect(logged).toEqual([expect.stringMatching(/^The API endpoint goes through an SSH tunnel via the lab host: port/)]);
    expect(await connects(tunnelled.port, opened)).toBe(true);
    expect(opened).toEqual([`host-1 ${FIRST_LAB_API_ADDRESS}:6443`]);

    // The host's port answers now: it is used, and the tunnel closes.
    expect(await endpoint.route(lab, context(logged), { host: '127.0.0.1', port: answering }, certificate.certPem)).toEqual({
      host: '127.0.0.1',
      port: answering,
    });
    expect(lab.endpointAccess).toEqual({ mode: 'direct', server: `https://127.0.0.1:${answering}` });
    expect(await connects(tunnelled.port)).toBe(false);
  });

  it('opens a saved tunnel again on its port, and says why and what to do when another program holds it', async () => {
    const tunnel = (localPort: number): LabRecord['endpointAccess'] => ({
      mode: 'tunnel',
      server: `https://127.0.0.1:${localPort}`,
      localPort,
      tlsServerName: 'lab1-api.lab.internal',
      target: `${FIRST_LAB_API_ADDRESS}:6443`,
      reason: 'port 16443 of kvm-lab did not answer from this computer (ETIMEDOUT)',
    });
    const taken = await listening(createTcpServer());
    const { endpoint, opened } = access();

    await endpoint.restore(record(tunnel(taken)));
    expect(endpoint.problem('lab1')).toMatch(
      new RegExp(
        `^The SSH tunnel to the API server could not listen on 127\\.0\\.0\\.1:${taken}: .* Free that port, or resume the lab's last operation to choose another\\.$`,
      ),
    );

    const free = await closedPort();
    await endpoint.restore(record(tunnel(free)));
    expect(endpoint.problem('lab1')).toBeUndefined();
    expect(await connects(free, opened)).toBe(true);

    await endpoint.forget('lab1');
    expect(await connects(free)).toBe(false);
    await endpoint.restore(record({ mode: 'direct', server: 'https://kvm-lab:16443' }));
    expect(opened).toHaveLength(1);
  });
});
