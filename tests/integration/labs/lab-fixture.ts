/**
 * A lab host for labs tests: a real sshd test host (stand-in libvirt, stateful; see
 * tests/harness/ssh/README.md) reached through a drop proxy, the hosts, clusters and labs
 * services on one data folder, a real control plane, and the hypervisor bridge that turns joined
 * stand-in VMs into simulated nodes of that control plane.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ClustersService } from '../../../src/main/clusters/clusters-service';
import { LabHosts } from '../../../src/main/hosts/lab-hosts';
import { LabsService } from '../../../src/main/labs/labs-service';
import { testNetwork } from '../../../src/main/labs/test-plans';
import { MemorySecretStore } from '../../../src/main/secrets/memory-secret-store';
import { defaultLabPlan } from '../../../src/shared/contract/labs';
import type { LabPlan, LabSummary } from '../../../src/shared/contract/labs';
import { startControlPlane, waitFor } from '../../harness/index.js';
import type { ControlPlane } from '../../harness/index.js';
import { startHypervisorBridge } from '../../harness/labs/hypervisor-bridge';
import { kubeadmAdminCredentials, renderAdminConf } from '../../harness/labs/kubeadm-admin-conf';
import type { AdminCredentials } from '../../harness/labs/kubeadm-admin-conf';
import type { HypervisorBridge } from '../../harness/labs/hypervisor-bridge';
import { simulations } from '../../harness/ssh/profiles';
import { SIMULATED_BASE_IMAGES, TEST_UID } from '../../harness/ssh/simulated-host-files';
import { relayHostPort, testHostSshArgs } from '../../harness/ssh/host-port-relay';
import { startDropProxy } from '../../harness/ssh/tcp-fixtures';
import type { DropProxy } from '../../harness/ssh/tcp-fixtures';
import { startTestHost } from '../../harness/ssh/test-host';
import type { TestHost } from '../../harness/ssh/test-host';
import { tempDir } from '../../harness/temp-dir';

const run = promisify(execFile);

export interface LabFixture {
  controlPlane: ControlPlane;
  host: TestHost;
  proxy: DropProxy;
  bridge: HypervisorBridge;
  /** The CA, admin certificate and key in the admin.conf the stand-in kubeadm hands out. */
  adminCredentials: AdminCredentials;
  dataDir: string;
  secrets: MemorySecretStore;
  hosts: LabHosts;
  clusters: ClustersService;
  labs: LabsService;
  hostId: string;
  hostName: string;
  /** A new labs service on the same data folder (the app restarted). */
  restartLabs(): LabsService;
  /**
   * A plan on this host; `network` picks a distinct documentation range so labs never share
   * addresses. With `ownNetwork` its API endpoint is served as the product serves it (the name in
   * the lab network, HAProxy on the lab host's port for that network, reached from here).
   */
  plan(name: string, network: 1 | 2 | 3, overrides?: Partial<LabPlan>): LabPlan;
  /** Resolves with the lab once its status is one of `statuses`. */
  settled(name: string, statuses?: LabSummary['status'][]): Promise<LabSummary>;
  /** Lines of the stand-ins' ordered event log: [epoch ms, event, ...args]. */
  events(): Promise<string[][]>;
  /** Names of the stand-in VMs that exist now. */
  domains(): Promise<string[]>;
  /** Every file under the test host's images folder, from a command over the real sshd. */
  imageFiles(): Promise<string[]>;
  /** A command on the lab host over OpenSSH's own client (outside Nestlab), as the test user; its stdout. */
  onHost(command: string): Promise<string>;
  /**
   * `ownNetwork` fixtures: an API endpoint Nestlab serves (the name in the lab network, HAProxy on
   * the host) whose host port this computer reaches at 127.0.0.1 (a relay into the host's
   * namespace stands for the network between this computer and the lab host).
   */
  servedEndpoint(name: string, network: 1 | 2 | 3): Promise<LabPlan['apiEndpoint']>;
  stop(): Promise<void>;
}

/** TEST-NET ranges (RFC 5737): documentation addresses, never routed, and never contacted here. */
const networks = { 1: '198.51.100', 2: '203.0.113', 3: '192.0.2' } as const;

/** Parent images of the simulated Hyper-V host (files under $NESTLAB_SIM_DIR/hyperv/c/...). */
export const HYPERV_IMAGES = {
  linux: 'C:\\Hyper-V\\Base\\jammy-server-cloudimg-amd64.vhdx',
  windows: 'C:\\Hyper-V\\Base\\windows-server-2022.vhdx',
};

/**
 * `os: 'windows'` gives a simulated Windows Hyper-V host (PowerShell over OpenSSH) instead of a
 * libvirt one. `ownNetwork`: the libvirt host has a network namespace of its own (test-host.ts),
 * where each joined stand-in control plane's API server listens on its VM address (a relay to the
 * harness's real API server through $NESTLAB_SIM_DIR/apiserver.sock) and the real HAProxy runs.
 */
export async function startLabFixture(
  options: { os?: 'linux' | 'windows'; ownNetwork?: boolean; selfHealingIntervalMs?: number } = {},
): Promise<LabFixture> {
  const windowsHost = options.os === 'windows';
  const [controlPlane, host] = await Promise.all([
    // SIMULATION: one API server stands for every lab's control planes, so its certificate names
    // every endpoint name a served lab gets (<lab>-api.lab.internal) by a wildcard where kubeadm
    // names the lab's own (a kubeconfig checked against that name, as through an SSH tunnel, passes).
    startControlPlane(options.ownNetwork === true ? { extraSans: ['DNS:*.lab.internal'] } : {}),
    startTestHost({ simulation: windowsHost ? simulations.windowsHyperV : simulations.nestedOn, ownNetwork: options.ownNetwork === true }),
  ]);
  const relays: { close(): Promise<void> }[] = [];
  if (options.ownNetwork === true) relays.push(await serveApiServerSocket(join(host.simDir, 'apiserver.sock'), controlPlane.apiServerPort));
  if (windowsHost) {
    const base = join(host.simDir, 'hyperv', 'c', 'Hyper-V', 'Base');
    await mkdir(base, { recursive: true });
    for (const image of Object.values(HYPERV_IMAGES)) await writeFile(join(base, image.split('\\').pop() ?? ''), 'SIMULATED parent VHDX\n');
    // The stand-ins run as the test user.
    await run('chown', ['-R', `${TEST_UID}:${TEST_UID}`, join(host.simDir, 'hyperv')]);
  }
  // The "kubeconfig on the first control plane" is what kubeadm writes: the cluster CA and an
  // admin client certificate signed by it, for the harness's real API server.
  const adminCredentials = await kubeadmAdminCredentials(controlPlane);
  await mkdir(join(host.simDir, 'cluster'), { recursive: true, mode: 0o755 });
  await writeFile(join(host.simDir, 'cluster', 'admin.conf'), renderAdminConf(controlPlane.server, adminCredentials), { mode: 0o644 });
  await chmod(join(host.simDir, 'cluster'), 0o755);
  const proxy = await startDropProxy(host.port);
  const bridge = startHypervisorBridge(host.simDir, controlPlane.simulation);
  const dataDir = await tempDir('labs');
  const secrets = new MemorySecretStore();
  const hosts = await LabHosts.create({ dataDir, secrets, readyTimeoutMs: 5_000, reconnect: { initialDelayMs: 100, maxDelayMs: 500 } });
  const clusters = new ClustersService({ dataDir, secrets, refreshIntervalMs: 0 });
  const hostName = 'kvm-lab';
  const added = await hosts.add({
    name: hostName,
    address: '127.0.0.1',
    port: proxy.port,
    user: host.user,
    auth: { kind: 'pastedKey', privateKey: host.clientKey.privateKey },
    ...(windowsHost ? { os: 'windows' as const, storagePath: 'C:\\Hyper-V\\nestlab' } : {}),
  });
  await hosts.acceptHostKey(added.id, (await host.hostKey()).fingerprint);
  if (!windowsHost) {
    for (const image of Object.values(SIMULATED_BASE_IMAGES)) {
      await hosts.run(added.id, ['mkdir', '-p', dirname(image)]);
      await hosts.run(added.id, ['tee', image], { stdin: 'SIMULATED cloud image\n' });
    }
  }
  const newLabs = () =>
    new LabsService({
      dataDir,
      hosts,
      clusters,
      changeIntervalMs: 50,
      ...(options.selfHealingIntervalMs === undefined ? {} : { selfHealingIntervalMs: options.selfHealingIntervalMs }),
    });
  /**
   * A host port of the lab host reached from this computer at 127.0.0.1:<port>: a relay into the
   * host's namespace stands for the network between this computer and the lab host.
   */
  const hostPortRelay = async (name: string): Promise<number> => {
    const relay = await relayHostPort(host, name);
    relays.push(relay);
    return relay.port;
  };
  // One host port per test network: labs that exist at the same time use different networks.
  const servedPorts =
    options.ownNetwork === true
      ? { 1: await hostPortRelay('network-1'), 2: await hostPortRelay('network-2'), 3: await hostPortRelay('network-3') }
      : undefined;
  const fixture: LabFixture = {
    controlPlane,
    host,
    proxy,
    bridge,
    adminCredentials,
    dataDir,
    secrets,
    hosts,
    clusters,
    labs: newLabs(),
    hostId: added.id,
    hostName,
    restartLabs: () => {
      fixture.labs = newLabs();
      return fixture.labs;
    },
    plan: (name, network, overrides = {}) => {
      const prefix = networks[network];
      return {
        ...defaultLabPlan(added.id, name),
        kubernetesVersion: '1.30.8',
        network: testNetwork(prefix, network),
        // ownNetwork: the endpoint Nestlab serves (its name in the lab network, HAProxy on the host's
        // port). Otherwise the test cluster's API server on loopback (in its SANs), served by no one.
        apiEndpoint:
          servedPorts === undefined
            ? { host: '127.0.0.1', port: controlPlane.apiServerPort, address: `${prefix}.10` }
            : servedApiEndpoint(name, network, servedPorts[network]),
        ...(windowsHost
          ? { driver: 'hyperv' as const, baseImage: HYPERV_IMAGES.linux, windowsBaseImage: HYPERV_IMAGES.windows }
          : { baseImage: SIMULATED_BASE_IMAGES.linux, windowsBaseImage: SIMULATED_BASE_IMAGES.windows }),
        ...overrides,
      };
    },
    settled: async (name, statuses = ['ready', 'failed', 'cancelled', 'interrupted']) => {
      try {
        return await waitFor(
          async () => {
            const lab = await fixture.labs.get(name);
            return statuses.includes(lab.status) ? lab : undefined;
          },
          { timeout: 170_000, interval: 100, description: `lab ${name} to settle` },
        );
      } catch (error) {
        // What the lab was doing makes a timeout readable.
        const lab = await fixture.labs.get(name);
        const steps = (lab.operation?.steps ?? []).map((step) => `${step.id}: ${step.status} ${step.detail ?? ''}`).join('\n');
        const logs = (await fixture.labs.logs(name, { limit: 30 })).map((line) => `${line.stepId} ${line.stream}: ${line.text}`).join('\n');
        throw new Error(`${(error as Error).message}\nstatus ${lab.status}\n${steps}\n${logs}`, { cause: error });
      }
    },
    events: async () =>
      (await readFile(join(host.simDir, 'events.log'), 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split(' ')),
    domains: async () =>
      (await readdir(join(host.simDir, windowsHost ? 'hyperv/vms' : 'libvirt/domains')).catch(() => [] as string[])).sort(),
    onHost: async (command) => (await run('ssh', [...testHostSshArgs(host), command])).stdout,
    servedEndpoint: async (name, network) => {
      if (options.ownNetwork !== true) throw new Error('servedEndpoint needs a fixture with ownNetwork');
      return servedApiEndpoint(name, network, await hostPortRelay(name));
    },
    imageFiles: async () => {
      if (windowsHost) {
        // Files only: the stand-in's empty bookkeeping folders are not host state.
        const entries = await readdir(join(host.simDir, 'hyperv'), { recursive: true, withFileTypes: true });
        return entries
          .filter((entry) => entry.isFile())
          .map((entry) => join(entry.parentPath, entry.name))
          .sort();
      }
      const stdout = await fixture.onHost('find /var/lib/libvirt/images -mindepth 1 | sort');
      return stdout.split('\n').filter((line) => line !== '');
    },
    stop: async () => {
      fixture.labs.dispose();
      hosts.dispose();
      clusters.dispose();
      await bridge.stop();
      await proxy.close();
      await Promise.all(relays.map((relay) => relay.close()));
      await Promise.all([host.stop(), controlPlane.stop()]);
    },
  };
  return fixture;
}

/** The endpoint Nestlab serves for a lab on a test network: its name, the address .10, HAProxy on `hostPort`. */
function servedApiEndpoint(name: string, network: 1 | 2 | 3, hostPort: number): LabPlan['apiEndpoint'] {
  return { host: `${name}-api.lab.internal`, port: 6443, address: `${networks[network]}.10`, hostPort };
}

/**
 * The Unix socket the stand-in control planes' API servers relay to (namespace-relay.mjs, lib-sim.sh),
 * served here: each connection goes to the harness's real API server on 127.0.0.1.
 */
export async function serveApiServerSocket(path: string, apiServerPort: number): Promise<{ close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(apiServerPort, '127.0.0.1');
    open.add(client);
    client.pipe(upstream).pipe(client);
    const end = () => {
      open.delete(client);
      client.destroy();
      upstream.destroy();
    };
    for (const side of [client, upstream]) {
      side.on('error', end);
      side.on('close', end);
    }
  });
  server.listen(path);
  await once(server, 'listening');
  // The relays run as the test user inside the host's namespace.
  await chmod(path, 0o777);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
