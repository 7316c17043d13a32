/**
 * "Open from the laptop" (issue #19): a LoadBalancer address on a lab network that this computer
 * cannot reach is opened through an SSH tunnel via the lab host. Real parts: the 1.20 API server
 * (whose Service gets its address from the harness's load-balancer simulation, 192.0.2.0/24), a
 * real sshd as the lab host in a network namespace of its own where that range is local, and a
 * real HTTP server there on the Service's address. The test process never sends anything to
 * 192.0.2.x itself: only the lab host's sshd does, inside its namespace.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LabHosts } from '../../../src/main/hosts/lab-hosts';
import { labTunnels } from '../../../src/main/pods/lab-tunnels';
import { PodsService } from '../../../src/main/pods/pods-service';
import { MemorySecretStore } from '../../../src/main/secrets/memory-secret-store';
import type { KubeConfigProvider } from '../../../src/main/kube/kubeconfig-provider';
import { Dispatcher } from '../../../src/shared/rpc/dispatcher';
import { connectInMemory } from '../../../src/shared/rpc/in-memory';
import { createTestServices } from '../../doubles/test-services';
import {
  getFreePort,
  LOAD_BALANCER_PREFIX,
  runKubectl,
  startControlPlane,
  startSimulatedNodes,
  waitFor,
  type ControlPlane,
  type SimulatedNodes,
} from '../../harness/index.js';
import { simulations } from '../../harness/ssh/profiles';
import { canConnect } from '../../harness/ssh/tcp-fixtures';
import { startTestHost, type TestHost } from '../../harness/ssh/test-host';
import { tempDir } from '../../harness/temp-dir';

const LAB_CONTEXT = 'lab1';
/** A lab whose host is down. */
const DOWN_CONTEXT = 'lab2';
/** An imported cluster that no lab made. */
const OTHER_CONTEXT = 'elsewhere';
const NAMESPACE = 'vote';
const serverScript = fileURLToPath(new URL('./fixtures/lab-web-server.mjs', import.meta.url));

let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let labHost: TestHost;
let hosts: LabHosts;
let dataDir: string;
let labHostId: string;
let downHostId: string;
let address: string;
let service: PodsService;
let link: ReturnType<typeof connectInMemory>;

const manifest = `
apiVersion: v1
kind: Namespace
metadata: { name: ${NAMESPACE} }
---
apiVersion: v1
kind: Service
metadata: { name: azure-vote-front, namespace: ${NAMESPACE} }
spec:
  type: LoadBalancer
  selector: { app: azure-vote-front }
  ports:
    - { name: http, port: 8080, targetPort: 80 }
    - { name: admin, port: 9090, targetPort: 9090 }
`;

function provider(kubeconfig: string): KubeConfigProvider {
  return {
    kubeConfigFor: () => {
      const config = new KubeConfig();
      config.loadFromString(kubeconfig);
      return Promise.resolve(config);
    },
    contextNames: () => Promise.resolve([LAB_CONTEXT, DOWN_CONTEXT, OTHER_CONTEXT]),
  };
}

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: [], kubelets: false });
  labHost = await startTestHost({ simulation: simulations.nestedOff, ownNetwork: true });
  const file = join(controlPlane.dir, 'vote-lb.yaml');
  await writeFile(file, manifest);
  const applied = await runKubectl(controlPlane.adminKubeconfigPath, ['apply', '-f', file]);
  expect(applied.exitCode, applied.stderr).toBe(0);
  await waitFor(
    async () => {
      const result = await runKubectl(controlPlane.adminKubeconfigPath, [
        '-n',
        NAMESPACE,
        'get',
        'service',
        'azure-vote-front',
        '-o',
        'jsonpath={.status.loadBalancer.ingress[0].ip}',
      ]);
      address = result.stdout.trim();
      return address.startsWith(LOAD_BALANCER_PREFIX);
    },
    { timeout: 30_000, description: 'a LoadBalancer address for the Service' },
  );

  dataDir = await tempDir('lab-tunnel');
  hosts = await LabHosts.create({ dataDir, secrets: new MemorySecretStore(), readyTimeoutMs: 5_000, reconnect: false });
  const added = await hosts.add({
    name: 'kvm-lab',
    address: '127.0.0.1',
    port: labHost.port,
    user: labHost.user,
    auth: { kind: 'pastedKey', privateKey: labHost.clientKey.privateKey },
  });
  await hosts.acceptHostKey(added.id, (await labHost.hostKey()).fingerprint);
  labHostId = added.id;
  // A lab host that is switched off: nothing listens on its port.
  const down = await hosts.add({
    name: 'switched-off',
    address: '127.0.0.1',
    port: await getFreePort(),
    user: labHost.user,
    auth: { kind: 'pastedKey', privateKey: labHost.clientKey.privateKey },
  });
  downHostId = down.id;

  // The app inside the lab network, on the Service's address (local only in the host's namespace).
  const script = join(labHost.dir, 'lab-web-server.mjs');
  await writeFile(script, await readFile(serverScript, 'utf8'), { mode: 0o644 });
  const started = await hosts.run(labHostId, [process.execPath, script, '--daemon', address, '8080']);
  expect(started, started.stderr).toMatchObject({ exitCode: 0, stdout: 'listening\n' });
}, 120_000);

afterAll(async () => {
  hosts?.dispose();
  await labHost?.stop();
  await simulation?.stop();
  await controlPlane?.stop();
});

function connectService(): void {
  const labs = {
    list: () =>
      Promise.resolve([
        { context: LAB_CONTEXT, hostId: labHostId },
        { context: DOWN_CONTEXT, hostId: downHostId },
      ]),
  };
  service = new PodsService({ provider: provider(controlPlane.adminKubeconfig), labTunnels: labTunnels(labs, hosts) });
  link = connectInMemory(new Dispatcher({ ...createTestServices(), pods: service }));
}

afterEach(async () => {
  link?.close();
  await service?.dispose();
});

const request = (context: string, remotePort = 8080) =>
  ({ context, namespace: NAMESPACE, kind: 'service', name: 'azure-vote-front', remotePort, via: 'lab-host' }) as const;

describe('a port-forward through the lab host (SSH tunnel)', () => {
  it('opens 127.0.0.1:<port> to the Service address inside the lab network, lists it, and stop closes it', async () => {
    connectService();
    const forward = await link.api.pods.startForward(request(LAB_CONTEXT));
    if (forward.via !== 'lab-host') throw new Error(`expected a lab-host forward, got ${forward.via}`);
    expect(forward).toMatchObject({ host: { id: labHostId, name: 'kvm-lab' }, address, port: 8080, localAddress: '127.0.0.1' });
    expect(forward.url).toBe(`http://127.0.0.1:${forward.localPort}/`);

    const page = await (await fetch(`${forward.url}votes`)).text();
    expect(page).toContain(`Served at ${address}:8080 inside the lab network, for /votes.`);
    // Listed like every forward; nothing listens on the machine's other addresses.
    expect(await link.api.pods.listForwards()).toEqual([expect.objectContaining({ id: forward.id, via: 'lab-host' })]);
    await expect(canConnect('::1', forward.localPort)).resolves.toBe(false);

    // An open connection through the tunnel ends with it.
    const open = connect({ host: '127.0.0.1', port: forward.localPort });
    await new Promise<void>((resolve) => open.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => open.once('close', () => resolve()));
    await waitFor(async () => (await link.api.pods.listForwards())[0]?.connections === 1, { description: 'the connection counted' });
    await link.api.pods.stopForward(forward.id);
    await closed;
    await expect(canConnect('127.0.0.1', forward.localPort)).resolves.toBe(false);
    expect(await link.api.pods.listForwards()).toEqual([]);
  });

  it('says clearly when the lab host cannot be reached, and opens nothing', async () => {
    connectService();
    const error = await link.api.pods.startForward(request(DOWN_CONTEXT)).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringMatching(
        new RegExp(
          `^The tunnel through lab host "switched-off" to ${address.replace(/\./g, '\\.')}:8080 \\(Service vote/azure-vote-front\\) could not be opened: Cannot reach 127\\.0\\.0\\.1:\\d+ \\(ECONNREFUSED\\)\\. Check the address and port, that sshd is running there`,
        ),
      ) as unknown,
    });
    expect(await link.api.pods.listForwards()).toEqual([]);
  });

  it('says when the lab host reaches no server on the address, naming both', async () => {
    connectService();
    await expect(link.api.pods.startForward(request(LAB_CONTEXT, 9090))).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringContaining(
        `could not be opened: 127.0.0.1 could not open a TCP connection to ${address}:9090 (Connection refused). Check that something listens on ${address}:9090`,
      ) as unknown,
    });
    expect(await link.api.pods.listForwards()).toEqual([]);
  });

  it('refuses a context that no lab made, and a port the Service does not have', async () => {
    connectService();
    await expect(link.api.pods.startForward(request(OTHER_CONTEXT))).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Context "${OTHER_CONTEXT}" is not the context of a Nestlab lab, so there is no lab host to tunnel through. Open Service vote/azure-vote-front through the port-forward (the API server) instead.`,
    });
    await expect(link.api.pods.startForward(request(LAB_CONTEXT, 81))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'Service vote/azure-vote-front has no port 81; its ports are 8080, 9090.',
    });
  });
});
