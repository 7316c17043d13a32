/**
 * Blue/green front door (issue 21): the REAL HAProxy (Debian's, run by the lab host's stand-in
 * systemctl as systemd runs the unit: master-worker, reload = `haproxy -c`, then USR2) on a real
 * sshd test host, in front of two real HTTP servers on loopback that stand for the app in the blue
 * and the green lab. A client polls through the front door while it switches to green and back to
 * blue, and no request fails.
 *
 * SIMULATION: the labs and apps services are in-test stand-ins (a lab is a summary, an app is the
 * Open URL of a loopback server): what is tested is the blue/green service, the front door's
 * configuration and HAProxy's switch, through the real hosts service over SSH.
 */
import { once } from 'node:events';
import { createServer, get } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabHosts } from '../../../src/main/hosts/lab-hosts';
import { BlueGreenService } from '../../../src/main/labs/day2/blue-green-service';
import { testPlan } from '../../../src/main/labs/test-plans';
import { MemorySecretStore } from '../../../src/main/secrets/memory-secret-store';
import type { AppInstanceStatus, DeployRequest, InstallResult } from '../../../src/shared/contract/apps';
import type { CreateLabResult, LabPlan, LabSummary, NetworkProposal } from '../../../src/shared/contract/labs';
import { AppError } from '../../../src/shared/errors';
import { Emitter } from '../../../src/shared/event';
import { getFreePort, waitFor } from '../../harness/index.js';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHost } from '../../harness/ssh/test-host';
import type { TestHost } from '../../harness/ssh/test-host';
import { tempDir } from '../../harness/temp-dir';

let host: TestHost;
let hosts: LabHosts;
let hostId: string;
let dataDir: string;
const servers: Server[] = [];

/** An HTTP server on a free loopback port that answers every request with `body`. */
async function backend(body: string): Promise<number> {
  const server = createServer((_request, response) => response.end(body));
  const port = await getFreePort();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return port;
}

beforeAll(async () => {
  host = await startTestHost({ simulation: simulations.nestedOn });
  dataDir = await tempDir('blue-green');
  hosts = await LabHosts.create({ dataDir, secrets: new MemorySecretStore(), readyTimeoutMs: 5_000 });
  const added = await hosts.add({
    name: 'kvm-lab',
    address: '127.0.0.1',
    port: host.port,
    user: host.user,
    auth: { kind: 'pastedKey', privateKey: host.clientKey.privateKey },
  });
  await hosts.acceptHostKey(added.id, (await host.hostKey()).fingerprint);
  hostId = added.id;
}, 120_000);

afterAll(async () => {
  hosts?.dispose();
  await host?.stop();
  for (const server of servers) server.close();
});

/** The labs service as the blue/green service uses it, for a ready blue lab; green becomes ready when the test says. */
function standInLabs(bluePlan: LabPlan) {
  const changed = new Emitter<LabSummary>();
  const removed = new Emitter<{ name: string }>();
  const summary = (plan: LabPlan, status: LabSummary['status']): LabSummary => ({
    name: plan.name,
    hostId,
    status,
    plan,
    machines: [],
    context: plan.name,
    operation: { kind: 'provision', steps: [], progress: 1, startedAt: '', elapsedMs: 0, remainingMs: 0 },
    createdAt: '',
    updatedAt: '',
  });
  const labs = new Map<string, LabSummary>([[bluePlan.name, summary(bluePlan, 'ready')]]);
  const created: LabPlan[] = [];
  return {
    created,
    get: (name: string) => {
      const lab = labs.get(name);
      return lab === undefined ? Promise.reject(new AppError('NOT_FOUND', `No lab ${name}.`)) : Promise.resolve(lab);
    },
    proposeNetwork: (): Promise<NetworkProposal> =>
      Promise.resolve({
        hostId,
        network: { ...bluePlan.network, cidr: '192.168.151.0/24' },
        apiEndpointAddress: '192.168.151.10',
        taken: [],
      }),
    create: (plan: LabPlan): Promise<CreateLabResult> => {
      created.push(plan);
      labs.set(plan.name, summary(plan, 'running'));
      return Promise.resolve({ status: 'started', lab: summary(plan, 'running') });
    },
    /** The green lab's provisioning ended. */
    finish: (name: string) => {
      const lab = { ...labs.get(name)!, status: 'ready' as const };
      labs.set(name, lab);
      changed.fire(lab);
    },
    onDidChangeLab: changed.event,
    onDidRemoveLab: removed.event,
  };
}

/** The apps service as the blue/green service uses it: each context's app is an Open URL of a loopback server. */
function standInApps(urls: Record<string, string>, installedIn: string[]) {
  const installs: DeployRequest[] = [];
  const scales: unknown[][] = [];
  const status = (context: string): AppInstanceStatus => ({
    context,
    namespace: 'default',
    instance: 'vote',
    appId: 'azure-vote',
    title: 'Azure Vote',
    deployments: [{ name: 'azure-vote-front', desired: 3, ready: 3, updated: 3, runningPods: 3, pendingPods: 0 }],
    services: [],
    openUrl: urls[context]!,
    replicaRanges: {},
    ready: true,
    objects: [],
  });
  return {
    installs,
    scales,
    list: (context: string) => Promise.resolve(installedIn.includes(context) ? [status(context)] : []),
    install: (request: DeployRequest): Promise<InstallResult> => {
      installs.push(request);
      installedIn.push(request.context);
      return Promise.resolve({
        status: 'installed',
        app: status(request.context),
        preflight: { ok: true, readyNodes: [], createsNamespace: false, images: [], problems: [] },
      });
    },
    scale: (...args: unknown[]) => {
      scales.push(args);
      return Promise.resolve();
    },
  };
}

type Answer = { body: string } | { error: string };

/** One GET through the front door on a new connection (no retry): the body, or why it failed. */
function fetchOnce(port: number): Promise<Answer> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 10_000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(response.statusCode === 200 ? { body } : { error: `HTTP ${response.statusCode}: ${body}` }));
      response.on('error', (error) => resolve({ error: error.message }));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => resolve({ error: error.message }));
  });
}

/** A client that asks through the front door one request after another until stopped. */
function poll(port: number) {
  const answers: Answer[] = [];
  let running = true;
  const done = (async () => {
    while (running) answers.push(await fetchOnce(port));
  })();
  return {
    answers,
    /** Resolves once `count` answers in a row were `body`. */
    until: (body: string, count = 20) =>
      waitFor(() => (answers.length >= count && answers.slice(-count).every((a) => 'body' in a && a.body === body) ? true : undefined), {
        timeout: 30_000,
        interval: 20,
        description: `${count} answers in a row from ${body}`,
      }),
    stop: async () => {
      running = false;
      await done;
    },
  };
}

describe('the blue/green front door (real haproxy on a real sshd test host; SIMULATION: stand-in labs and apps services)', () => {
  it('copies blue’s app to green, opens one frontend for it, and switches to green and back with no failed request', async () => {
    const bluePort = await backend('blue');
    const greenPort = await backend('green');
    const frontPort = await getFreePort();
    const bluePlan = testPlan({ name: 'blue', hostId, kubernetesVersion: '1.29.12', windowsWorkers: 0 });
    const labs = standInLabs(bluePlan);
    const apps = standInApps({ blue: `http://127.0.0.1:${bluePort}/`, green: `http://127.0.0.1:${greenPort}/` }, ['blue']);
    const service = new BlueGreenService({ dataDir, labs, apps, hosts, pollMs: 20, firstFrontDoorPort: frontPort });
    try {
      const pair = await service.createGreen({ blue: 'blue', green: 'green', kubernetesVersion: '1.30.8' });
      expect(pair).toMatchObject({ state: 'creating-green', active: 'blue', blueVersion: '1.29.12', greenVersion: '1.30.8' });
      // The green lab: blue's plan at the new version, with the host's next ranges and its own endpoint.
      expect(labs.created).toEqual([
        expect.objectContaining({
          name: 'green',
          kubernetesVersion: '1.30.8',
          network: expect.objectContaining({ cidr: '192.168.151.0/24' }),
          apiEndpoint: { host: 'green-api.lab.internal', port: 6443, address: '192.168.151.10' },
        }),
      ]);

      labs.finish('green');
      const ready = await waitFor(
        async () =>
          (await service.list()).find(
            (p) => p.blue === 'blue' && p.state !== 'copying-apps' && p.state !== 'opening' && p.state !== 'creating-green',
          ),
        {
          timeout: 60_000,
          interval: 50,
          description: 'the pair to be prepared',
        },
      );
      expect(ready.error).toBeUndefined();
      expect(ready.state).toBe('ready');
      expect(apps.installs).toEqual([{ context: 'green', namespace: 'default', appId: 'azure-vote', instance: 'vote' }]);
      expect(apps.scales).toEqual([['green', 'default', 'vote', 'azure-vote-front', 3]]);
      expect(ready.apps).toEqual([
        {
          namespace: 'default',
          instance: 'vote',
          appId: 'azure-vote',
          scheme: 'http',
          path: '/',
          hostPort: frontPort,
          backends: { blue: `127.0.0.1:${bluePort}`, green: `127.0.0.1:${greenPort}` },
          url: `http://127.0.0.1:${frontPort}/`,
        },
      ]);
      const config = (await hosts.runAsRoot(hostId, ['cat', '/etc/haproxy/nestlab/blue_front-door.cfg'])).stdout;
      expect(config).toContain(`    bind :${frontPort}\n`);
      expect(config).toContain(`    server green 127.0.0.1:${greenPort} disabled\n`);

      const client = poll(frontPort);
      try {
        await client.until('blue');
        expect(await service.switchTo('blue', 'green')).toMatchObject({ active: 'green', state: 'ready' });
        await client.until('green');
        expect(await service.switchTo('blue', 'blue')).toMatchObject({ active: 'blue', state: 'ready' });
        await client.until('blue');
      } finally {
        await client.stop();
      }
      expect(client.answers.filter((answer) => 'error' in answer)).toEqual([]);
      expect(client.answers.length).toBeGreaterThan(60);

      // Every configuration was checked by HAProxy before it was put in place and loaded.
      const calls = (await host.sudoCalls()).map((argv) => argv.join(' '));
      const checks = calls.filter((line) => line.includes('/usr/sbin/haproxy -c -f /etc/haproxy/nestlab/blue_front-door.cfg.new'));
      const reloads = calls.filter((line) => line.includes('systemctl reload nestlab-haproxy@blue_front-door.service'));
      expect(checks).toHaveLength(3);
      expect(reloads).toHaveLength(2);

      // Closing the front door stops its instance; the labs stay.
      await service.remove('blue');
      expect(await service.list()).toEqual([]);
      expect(await fetchOnce(frontPort)).toEqual({ error: expect.stringContaining('ECONNREFUSED') });
      expect((await hosts.runAsRoot(hostId, ['test', '-e', '/etc/haproxy/nestlab/blue_front-door.cfg'])).exitCode).toBe(1);
    } finally {
      service.dispose();
    }
  }, 180_000);
});
