/**
 * A lab on "existing machines" (driver 'existing', k3sup-style): three real sshd test hosts are
 * the machines, each added to the hosts inventory with its own key and accepted host key.
 * SIMULATION: kubeadm, kubectl and sudo on those hosts are the in-VM stand-ins (they act on the
 * host's $NESTLAB_SIM_DIR/machine folder), and a machine that kubeadm "joins" becomes a simulated
 * node of a real Kubernetes 1.20 control plane (one hypervisor bridge per machine). The SSH
 * sessions, the preflight probes, the kubeconfig handling and every Kubernetes call are real.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClustersService } from '../../../src/main/clusters/clusters-service';
import { LabHosts } from '../../../src/main/hosts/lab-hosts';
import { LabsService } from '../../../src/main/labs/labs-service';
import { MemorySecretStore } from '../../../src/main/secrets/memory-secret-store';
import { defaultLabPlan } from '../../../src/shared/contract/labs';
import type { ExistingMachine, LabPlan, LabSummary } from '../../../src/shared/contract/labs';
import { HOST_ANNOTATION, VM_ANNOTATION } from '../../../src/shared/contract/topology';
import { KubeRestClient, startControlPlane, waitFor } from '../../harness/index.js';
import type { ControlPlane } from '../../harness/index.js';
import { startHypervisorBridge } from '../../harness/labs/hypervisor-bridge';
import type { HypervisorBridge } from '../../harness/labs/hypervisor-bridge';
import { kubeadmAdminCredentials, renderAdminConf } from '../../harness/labs/kubeadm-admin-conf';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHost } from '../../harness/ssh/test-host';
import type { TestHost } from '../../harness/ssh/test-host';
import { tempDir } from '../../harness/temp-dir';

interface NodeView {
  metadata: { name: string; annotations?: Record<string, string> };
}

const names = ['rack-1', 'rack-2', 'rack-3'];
let controlPlane: ControlPlane;
let machines: TestHost[];
let bridges: HypervisorBridge[];
let dataDir: string;
let hosts: LabHosts;
let clusters: ClustersService;
let labs: LabsService;
let admin: KubeRestClient;
let ids: string[];

beforeAll(async () => {
  [controlPlane, ...machines] = await Promise.all([
    startControlPlane(),
    ...names.map(() => startTestHost({ simulation: simulations.nestedOn, machine: true })),
  ]);
  admin = new KubeRestClient(controlPlane.admin, 4);
  // The admin kubeconfig the stand-in `kubeadm init` "writes": kubeadm's shape, for the harness's API server.
  const adminConf = renderAdminConf(controlPlane.server, await kubeadmAdminCredentials(controlPlane));
  for (const machine of machines) {
    await mkdir(join(machine.simDir, 'cluster'), { recursive: true, mode: 0o755 });
    await writeFile(join(machine.simDir, 'cluster', 'admin.conf'), adminConf, { mode: 0o644 });
    await chmod(join(machine.simDir, 'cluster'), 0o755);
  }
  bridges = machines.map((machine, index) =>
    startHypervisorBridge(machine.simDir, controlPlane.simulation, { firstNodeIndex: 200 + index * 10, existingMachine: true }),
  );
  dataDir = await tempDir('existing');
  const secrets = new MemorySecretStore();
  hosts = await LabHosts.create({ dataDir, secrets, readyTimeoutMs: 5_000 });
  clusters = new ClustersService({ dataDir, secrets, refreshIntervalMs: 0 });
  labs = new LabsService({ dataDir, hosts, clusters, changeIntervalMs: 50 });
  ids = [];
  for (const [index, machine] of machines.entries()) {
    const added = await hosts.add({
      name: names[index] ?? 'rack',
      address: '127.0.0.1',
      port: machine.port,
      user: machine.user,
      auth: { kind: 'pastedKey', privateKey: machine.clientKey.privateKey },
    });
    if (index < 2) await hosts.acceptHostKey(added.id, (await machine.hostKey()).fingerprint);
    ids.push(added.id);
  }
}, 180_000);

afterAll(async () => {
  labs?.dispose();
  hosts?.dispose();
  clusters?.dispose();
  admin?.close();
  await Promise.all((bridges ?? []).map((bridge) => bridge.stop()));
  await Promise.all([...(machines ?? []).map((machine) => machine.stop()), controlPlane?.stop()]);
});

const plan = (existingMachines: ExistingMachine[]): LabPlan => ({
  ...defaultLabPlan(ids[0] ?? '', 'ex1'),
  driver: 'existing',
  kubernetesVersion: '1.30.8',
  // The stable endpoint of the test cluster is the API server's loopback address (in its SANs).
  apiEndpoint: { host: '127.0.0.1', port: controlPlane.apiServerPort, address: '' },
  baseImage: '',
  existingMachines,
});

async function settled(name: string): Promise<LabSummary> {
  try {
    return await waitFor(
      async () => {
        const lab = await labs.get(name);
        return lab.status === 'running' ? undefined : lab;
      },
      { timeout: 60_000, interval: 100, description: `lab ${name} to settle` },
    );
  } catch (error) {
    // What the lab was doing makes a timeout readable.
    const lab = await labs.get(name);
    const steps = (lab.operation?.steps ?? []).map((step) => `${step.id}: ${step.status} ${step.detail ?? ''}`).join('\n');
    const logs = (await labs.logs(name, { limit: 30 })).map((line) => `${line.stepId} ${line.stream}: ${line.text}`).join('\n');
    throw new Error(`${(error as Error).message}\n${steps}\n${logs}`, { cause: error });
  }
}

const machineFile = (index: number, path: string) => join(machines[index]?.simDir ?? '', 'machine', path);
const events = async (index: number) =>
  (await readFile(join(machines[index]?.simDir ?? '', 'events.log'), 'utf8').catch(() => '')).split('\n');

describe('existing machines (SIMULATION: in-VM stand-ins on real sshd test hosts joined to a real control plane)', () => {
  it('refuses a machine whose host key was never accepted, naming the fix', async () => {
    const check = await labs.checkPlan(
      plan([
        { hostId: ids[0] ?? '', role: 'control-plane' },
        { hostId: ids[2] ?? '', role: 'linux-worker' },
      ]),
    );
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual([
      expect.objectContaining({
        message: 'rack-3 has no accepted host key, so Nestlab will not run commands on it.',
        fix: 'Test the connection to rack-3 in the Hosts view and accept its host key fingerprint.',
      }),
    ]);
  });

  it('checks each machine against its own preflight, with the machine named in the arithmetic', async () => {
    const check = await labs.checkPlan(
      plan([
        { hostId: ids[0] ?? '', role: 'control-plane' },
        { hostId: ids[1] ?? '', role: 'linux-worker' },
      ]),
    );
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(check.capacity.map((line) => line.summary.split(':')[0])).toEqual([
      'rack-1 (ex1-cp1)',
      'rack-1 (ex1-cp1)',
      'rack-1 (ex1-cp1)',
      'rack-2 (ex1-linux1)',
      'rack-2 (ex1-linux1)',
      'rack-2 (ex1-linux1)',
    ]);
  });

  it('provisions 1 control plane + 1 worker to Ready nodes annotated with their host, creating nothing', { timeout: 180_000 }, async () => {
    const started = await labs.create(
      plan([
        { hostId: ids[0] ?? '', role: 'control-plane' },
        { hostId: ids[1] ?? '', role: 'linux-worker' },
      ]),
    );
    expect(started.status).toBe('started');
    const done = await settled('ex1');
    expect(done.operation?.error).toBeUndefined();
    expect(done.status).toBe('ready');
    expect(done.context).toBe('ex1');
    const nodes = await waitFor(
      async () => {
        const list = (await clusters.listNodes('ex1')).filter((node) => node.name.startsWith('ex1-'));
        return list.length === 2 && list.every((node) => node.ready) ? list : undefined;
      },
      { timeout: 30_000, interval: 200, description: 'two Ready nodes' },
    );
    expect(nodes.map((node) => node.name)).toEqual(['ex1-cp1', 'ex1-linux1']);
    for (const [name, host] of [
      ['ex1-cp1', 'rack-1'],
      ['ex1-linux1', 'rack-2'],
    ] as const) {
      const node = await admin.request<NodeView>('GET', `/api/v1/nodes/${name}`);
      expect(node.metadata.annotations?.[HOST_ANNOTATION]).toBe(host);
      expect(node.metadata.annotations?.[VM_ANNOTATION]).toBeUndefined();
    }
    // Each command ran on its own machine: kubeadm init on rack-1 only, the join on rack-2 only.
    expect((await events(0)).filter((line) => line.includes('kubeadm-init'))).toHaveLength(1);
    expect((await events(1)).filter((line) => line.includes('kubeadm-join'))).toHaveLength(1);
    expect(existsSync(machineFile(1, 'etc/kubernetes/kubelet.conf'))).toBe(true);
    const steps = done.operation?.steps ?? [];
    expect(steps.find((step) => step.id === 'create-vm:ex1-cp1')?.detail).toMatch(
      /^rack-1 already runs \(Linux .*\); nothing is created\.$/,
    );
    expect(steps.find((step) => step.id === 'ssh:ex1-linux1')?.detail).toBe('kubeadm v1.30.8 is installed.');
  });

  it(
    'scales: adds rack-3 as a worker, then removes rack-2 (drain, delete node, kubeadm reset; the machine stays)',
    { timeout: 180_000 },
    async () => {
      await hosts.acceptHostKey(ids[2] ?? '', (await machines[2]!.hostKey()).fingerprint);
      await labs.scale('ex1', {
        linuxWorkers: 0,
        windowsWorkers: 0,
        existingMachines: [
          { hostId: ids[0] ?? '', role: 'control-plane' },
          { hostId: ids[1] ?? '', role: 'linux-worker' },
          { hostId: ids[2] ?? '', role: 'linux-worker' },
        ],
      });
      const grown = await settled('ex1');
      expect(grown.operation?.error).toBeUndefined();
      expect(grown.machines.map((machine) => machine.name)).toEqual(['ex1-cp1', 'ex1-linux1', 'ex1-linux2']);
      await waitFor(async () => ((await clusters.listNodes('ex1')).find((node) => node.name === 'ex1-linux2')?.ready ? true : undefined), {
        timeout: 30_000,
        interval: 200,
        description: 'ex1-linux2 Ready',
      });

      await labs.scale('ex1', {
        linuxWorkers: 0,
        windowsWorkers: 0,
        existingMachines: [
          { hostId: ids[0] ?? '', role: 'control-plane' },
          { hostId: ids[2] ?? '', role: 'linux-worker' },
        ],
      });
      const shrunk = await settled('ex1');
      expect(shrunk.operation?.error).toBeUndefined();
      expect(shrunk.operation?.steps.map((step) => step.id)).toEqual([
        'cordon:ex1-linux1',
        'drain:ex1-linux1',
        'delete-node:ex1-linux1',
        'delete-vm:ex1-linux1',
      ]);
      expect(shrunk.machines.map((machine) => machine.name)).toEqual(['ex1-cp1', 'ex1-linux2']);
      expect((await clusters.listNodes('ex1')).map((node) => node.name).filter((name) => name.startsWith('ex1-'))).toEqual([
        'ex1-cp1',
        'ex1-linux2',
      ]);
      expect((await events(1)).some((line) => line.includes('kubeadm-reset'))).toBe(true);
      expect(existsSync(machineFile(1, 'etc/kubernetes'))).toBe(false);
      // The machine itself is still there and answers.
      expect((await hosts.run(ids[1] ?? '', ['echo', 'still here'])).stdout.trim()).toBe('still here');
    },
  );

  it('deletes the lab: every machine is reset, the context goes, the machines stay', { timeout: 180_000 }, async () => {
    const removed = new Promise<void>((resolve) => {
      const subscription = labs.onDidRemoveLab(({ name }) => {
        if (name !== 'ex1') return;
        subscription.dispose();
        resolve();
      });
    });
    await labs.remove('ex1');
    await removed;
    expect((await events(0)).some((line) => line.includes('kubeadm-reset'))).toBe(true);
    expect((await events(2)).some((line) => line.includes('kubeadm-reset'))).toBe(true);
    expect(existsSync(machineFile(0, 'etc/kubernetes'))).toBe(false);
    expect(existsSync(machineFile(2, 'etc/kubernetes'))).toBe(false);
    expect(await clusters.contextNames()).not.toContain('ex1');
    await waitFor(() => Promise.resolve(bridges.every((bridge) => bridge.registered().length === 0) ? true : undefined), {
      timeout: 10_000,
      interval: 100,
      description: 'the simulated nodes to stop',
    });
    for (const id of ids) expect((await hosts.run(id, ['true'])).exitCode).toBe(0);
  });
});
