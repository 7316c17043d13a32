/**
 * The lab's HAProxy configuration just after a lab's control planes come up (issue 19): the REAL
 * HAProxy (Debian's 2.6) runs the configuration Nestlab generates, in front of the harness's real
 * kube-apiserver. Each "control plane" is a TCP relay on a loopback port to that API server, closed
 * while the control plane is down. The configuration is the generated one with its listen and
 * server addresses moved to free loopback ports and a stats socket added (to read HAProxy's view of
 * each server); nothing else of it changes.
 *
 * The lab's HAProxy starts before its control planes (the endpoint step comes first), so its first
 * health checks fail. A checked server then stays DOWN until it passes `rise` checks, and HAProxy
 * closes every connection meanwhile: the lab's kubeconfig step right after the control plane came
 * up failed on that (712cc68 retried for a minute instead).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_SERVER_PORT, HAPROXY, haproxyConfig } from '../../../src/main/labs/api-endpoint';
import { testPlan } from '../../../src/main/labs/test-plans';
import { getFreePort, startControlPlane, waitFor } from '../../harness/index.js';
import type { ControlPlane } from '../../harness/index.js';
import { tempDir } from '../../harness/temp-dir';

let controlPlane: ControlPlane;
let dir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  controlPlane = await startControlPlane();
  dir = await tempDir('haproxy');
}, 120_000);

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await controlPlane?.stop();
});

/** A control plane's API server port: a relay to the harness's API server, listening only while the control plane is up. */
class ControlPlanePort {
  private server: Server | undefined;
  private readonly open = new Set<Socket>();

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(controlPlane.apiServerPort, '127.0.0.1');
      this.open.add(client);
      client.pipe(upstream).pipe(client);
      const end = () => {
        this.open.delete(client);
        client.destroy();
        upstream.destroy();
      };
      for (const side of [client, upstream]) {
        side.on('error', end);
        side.on('close', end);
      }
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.open) socket.destroy();
    await closed;
  }
}

interface ServerState {
  name: string;
  /** HAProxy's status column: UP, DOWN, "no check", or a transition such as "DOWN 1/2". */
  status: string;
}

/** `show stat` on HAProxy's stats socket: the state of every server of the lab's backend. */
async function serverStates(socketPath: string, backend: string): Promise<ServerState[]> {
  const socket = connect(socketPath);
  socket.end('show stat\n');
  let text = '';
  for await (const chunk of socket) text += String(chunk);
  const [header = '', ...rows] = text.split('\n').filter((line) => line !== '');
  const columns = header.replace(/^# /, '').split(',');
  const column = (name: string) => columns.indexOf(name);
  return rows
    .map((row) => row.split(','))
    .filter((fields) => fields[column('pxname')] === backend && !['FRONTEND', 'BACKEND'].includes(fields[column('svname')] ?? ''))
    .map((fields) => ({ name: fields[column('svname')] ?? '', status: fields[column('status')] ?? '' }));
}

/**
 * Runs HAProxy in the foreground on the lab's generated configuration, its frontend on a free
 * loopback port and its control planes on free loopback ports (down until started).
 */
async function startLabHaproxy(controlPlaneCount: 1 | 3) {
  const hostPort = await getFreePort();
  const plan = testPlan({ name: `start${controlPlaneCount}`, controlPlaneCount, apiEndpoint: { ...testPlan().apiEndpoint, hostPort } });
  const ports: ControlPlanePort[] = [];
  for (let index = 0; index < controlPlaneCount; index += 1) ports.push(new ControlPlanePort(await getFreePort()));
  const generated = haproxyConfig(plan);
  const statsSocket = join(dir, `${plan.name}.stats`);
  const servers = [...generated.matchAll(/^ {4}server \S+ (\d+\.\d+\.\d+\.\d+):/gm)].map((match) => match[1]);
  expect(new Set(servers).size).toBe(controlPlaneCount);
  let config = generated
    .replace(/^ {4}bind \S+ transparent\n/m, '')
    .replace(`    bind :${hostPort}\n`, `    bind 127.0.0.1:${hostPort}\n`)
    .replace('global\n', `global\n    stats socket ${statsSocket} level user\n`);
  [...new Set(servers)].forEach((address, index) => {
    config = config.replaceAll(` ${address}:${API_SERVER_PORT}`, ` 127.0.0.1:${ports[index]!.port}`);
  });
  expect(config).not.toMatch(/transparent|bind :/);
  const path = join(dir, `${plan.name}.cfg`);
  await writeFile(path, config);
  const haproxy: ChildProcess = spawn(HAPROXY, ['-db', '-f', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  haproxy.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  cleanups.push(async () => {
    haproxy.kill('SIGTERM');
    if (haproxy.exitCode === null) await once(haproxy, 'exit');
    for (const port of ports) await port.stop();
  });
  const backend = `${plan.name}-control-planes`;
  const states = () => serverStates(statsSocket, backend);
  await waitFor(async () => ((await states().catch(() => [])).length > 0 ? true : undefined), {
    timeout: 20_000,
    interval: 50,
    description: `HAProxy to start (${log})`,
  });
  return { plan, ports, states, log: () => log };
}

/** One GET /version through the endpoint, no retry: the status, or the error of a closed connection. */
function getVersion(port: number): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/version', ca: controlPlane.caCertPem, agent: false, timeout: 20_000 },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve({ error: error.message }));
    req.end();
  });
}

describe('the lab endpoint just after its control planes come up (real HAProxy 2.6)', () => {
  it('one control plane: HAProxy does not count it down, so the first request after it came up is answered', async () => {
    const lab = await startLabHaproxy(1);
    // HAProxy has run for a check interval while the control plane was down: a checked server
    // would be DOWN now. This one has nothing to fail over to, so it is not checked at all.
    expect(await lab.states()).toEqual([{ name: 'start1-cp1', status: 'no check' }]);
    expect(await getVersion(lab.plan.apiEndpoint.hostPort!)).toMatchObject({ error: expect.any(String) as string });

    await lab.ports[0]!.start();
    const answer = await getVersion(lab.plan.apiEndpoint.hostPort!);
    expect(answer).toMatchObject({ status: 200, body: expect.stringContaining('"gitVersion"') as string });
  }, 60_000);

  it('three control planes: while every checked one is DOWN the endpoint tries them all, and the checks still take a stopped one out', async () => {
    const lab = await startLabHaproxy(3);
    const checked = ['start3-cp1', 'start3-cp2', 'start3-cp3'];
    // HAProxy's first checks fail while the control planes are down.
    await waitFor(
      async () => {
        const states = await lab.states();
        return checked.every((name) => states.find((state) => state.name === name)?.status === 'DOWN') ? states : undefined;
      },
      { timeout: 20_000, interval: 100, description: 'HAProxy to mark the three control planes DOWN' },
    );
    // The control planes come up; HAProxy still counts them DOWN (it needs two good checks 2 s apart).
    for (const port of lab.ports) await port.start();
    const states = await lab.states();
    expect(states.filter((state) => checked.includes(state.name)).map((state) => state.status)).toEqual(['DOWN', 'DOWN', 'DOWN']);
    expect(await getVersion(lab.plan.apiEndpoint.hostPort!)).toMatchObject({ status: 200 });

    // The checks bring them UP, and take one out once it stops.
    await waitFor(async () => ((await lab.states()).filter((state) => state.status === 'UP').length === 3 ? true : undefined), {
      timeout: 30_000,
      interval: 200,
      description: 'HAProxy to mark the three control planes UP',
    });
    await lab.ports[1]!.stop();
    await waitFor(async () => ((await lab.states()).find((state) => state.name === 'start3-cp2')?.status === 'DOWN' ? true : undefined), {
      timeout: 30_000,
      interval: 200,
      description: 'HAProxy to mark start3-cp2 DOWN',
    });
    for (let attempt = 0; attempt < 6; attempt += 1)
      expect(await getVersion(lab.plan.apiEndpoint.hostPort!)).toMatchObject({ status: 200 });
    expect(lab.log()).toContain('Server start3-control-planes/start3-cp2 is DOWN');
  }, 90_000);
});
