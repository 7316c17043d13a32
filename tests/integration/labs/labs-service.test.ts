/**
 * Lab clusters end to end on a real sshd test host whose libvirt tools are stateful stand-ins
 * (SIMULATION: no VM can run here; see tests/harness/ssh/README.md) and a real Kubernetes 1.20
 * control plane, where each stand-in VM that kubeadm "joins" becomes a simulated node. The SSH
 * sessions, sudo, file writes on the host, the kubeconfig handling and every Kubernetes call
 * (annotate, cordon, evict, delete, list nodes) are real. The lab host has a network of its own, so
 * each lab's API endpoint is served as on a real host: the name in the lab network, the real
 * HAProxy on the lab host's port, which the saved kubeconfig names and every call goes through.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabSummary } from '../../../src/shared/contract/labs';
import { HOST_ANNOTATION, VM_ANNOTATION } from '../../../src/shared/contract/topology';
import { WINDOWS_CNI_MANIFESTS } from '../../../src/main/labs/pinned-scripts';
import { KubeRestClient, waitFor } from '../../harness/index.js';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

let lab: LabFixture;
let admin: KubeRestClient;
let baselineDomains: string[];
let baselineImages: string[];

interface NodeView {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { unschedulable?: boolean };
}

beforeAll(async () => {
  lab = await startLabFixture({ ownNetwork: true });
  admin = new KubeRestClient(lab.controlPlane.admin, 4);
  // Something on the host that is not Nestlab's: a VM image of someone else's, which delete must leave alone.
  await lab.hosts.run(lab.hostId, ['tee', '/var/lib/libvirt/images/someone-elses-vm.qcow2'], { stdin: 'not a lab disk\n' });
  baselineDomains = await lab.domains();
  baselineImages = await lab.imageFiles();
}, 180_000);

afterAll(async () => {
  admin?.close();
  await lab?.stop();
});

const stepOrder = (summary: LabSummary) =>
  [...(summary.operation?.steps ?? [])]
    .filter((step) => step.finishedAt !== undefined)
    .sort((a, b) => Date.parse(a.finishedAt ?? '') - Date.parse(b.finishedAt ?? ''))
    .map((step) => step.id);

describe('plan checks (SIMULATION: stand-in libvirt host with 16 CPUs, 64 GiB, 500 GiB)', () => {
  it('refuses a plan larger than the host, showing the arithmetic, and creates nothing', async () => {
    const plan = lab.plan('huge', 1, {
      linuxWorkers: 20,
      sizes: { ...lab.plan('x', 1).sizes, linuxWorker: { preset: 'large', cpus: 4, memoryMiB: 8192, diskGiB: 60 } },
    });
    const result = await lab.labs.create(plan);
    expect(result.status).toBe('refused');
    if (result.status !== 'refused') return;
    const memory = result.check.capacity.find((line) => line.resource === 'memory');
    expect(memory?.ok).toBe(false);
    expect(memory?.arithmetic).toContain('1 control plane × 4 GiB + 20 Linux workers × 8 GiB + host reserve 2 GiB = 166 GiB');
    expect(memory?.summary).toMatch(/^Memory: 166 GiB needed, [\d.]+ GiB available: short by/);
    const cpu = result.check.capacity.find((line) => line.resource === 'cpu');
    expect(cpu?.arithmetic).toContain('host: 16 logical CPUs × 2 (overcommit) = 32 vCPU');
    expect(cpu?.ok).toBe(false);
    expect(await lab.domains()).toEqual(baselineDomains);
    await expect(lab.labs.get('huge')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses Windows workers with k3s and says why', async () => {
    const result = await lab.labs.create(lab.plan('k3swin', 1, { distribution: 'k3s', windowsWorkers: 1 }));
    expect(result.status).toBe('refused');
    if (result.status !== 'refused') return;
    const problem = result.check.problems.find((p) => p.field === 'windowsWorkers');
    expect(problem?.message).toMatch(/k3s cannot have Windows workers: k3s ships a Linux-only agent/);
    expect(problem?.fix).toMatch(/Choose kubeadm/);
  });
});

describe('a 1 control-plane + 2 Linux + 1 Windows lab (SIMULATION: stand-in VMs join a real control plane)', () => {
  it('provisions to Ready nodes visible through the saved context, annotated with host and VM', { timeout: 180_000 }, async () => {
    const started = await lab.labs.create(lab.plan('lab1', 1, { linuxWorkers: 2, windowsWorkers: 1 }));
    expect(started.status).toBe('started');
    const done = await lab.settled('lab1');
    expect(done.operation?.error).toBeUndefined();
    expect(done.status).toBe('ready');
    expect(done.context).toBe('lab1');
    expect(done.operation?.progress).toBe(1);
    // The saved context names the lab host's port, where the lab's own HAProxy instance forwards to
    // the first control plane at the endpoint address (its DHCP reservation): what a user's kubectl reaches.
    const { hostPort } = lab.plan('lab1', 1).apiEndpoint;
    const saved = (await lab.clusters.list()).contexts.find((context) => context.name === 'lab1');
    expect(saved?.server).toBe(`https://127.0.0.1:${hostPort}`);
    expect(await lab.onHost('systemctl is-active nestlab-haproxy@lab1')).toBe('active\n');
    expect(await lab.onHost('cat /etc/haproxy/nestlab/lab1.cfg')).toMatch(
      new RegExp(`bind :${hostPort}\\n[^]*^ {4}server lab1-cp1 198\\.51\\.100\\.10:6443$`, 'm'),
    );
    expect(done.machines.find((machine) => machine.name === 'lab1-cp1')?.address).toBe('198.51.100.10');

    const nodes = await lab.clusters.listNodes('lab1');
    expect(nodes.map((node) => [node.name, node.os, node.ready])).toEqual([
      ['lab1-cp1', 'linux', true],
      ['lab1-linux1', 'linux', true],
      ['lab1-linux2', 'linux', true],
      ['lab1-win1', 'windows', true],
    ]);
    for (const name of ['lab1-cp1', 'lab1-linux1', 'lab1-linux2', 'lab1-win1']) {
      const node = await admin.request<NodeView>('GET', `/api/v1/nodes/${name}`);
      expect(node.metadata.annotations).toMatchObject({ [HOST_ANNOTATION]: lab.hostName, [VM_ANNOTATION]: name });
    }
    expect(await lab.domains()).toEqual([...baselineDomains, 'lab1-cp1', 'lab1-linux1', 'lab1-linux2', 'lab1-win1'].sort());
    const inits = (await lab.events()).filter(([, event]) => event === 'kubeadm-init');
    expect(inits.map(([, , vm]) => vm)).toEqual(['lab1-cp1']);
    // Every machine has its DHCP address from the plan's pool.
    expect(done.machines.every((machine) => machine.address?.startsWith('198.51.100.'))).toBe(true);
    // The bootstrap token travels in files written over stdin: never in a log line or on a command line.
    // kubeadm init prints it and the certificate key in its banner (the stand-in prints the real
    // one): the lines reach the log with both replaced.
    const allLogs = await lab.labs.logs('lab1', { limit: 5000 });
    expect(allLogs.some((line) => line.stepId === 'join:lab1-win1' && line.vm === 'lab1-win1')).toBe(true);
    expect(JSON.stringify(allLogs)).not.toContain('abcdef.0123456789abcdef');
    expect(JSON.stringify(allLogs)).not.toContain(createHash('sha256').update('certs-lab1-cp1').digest('hex'));
    const banner = allLogs.filter((line) => line.stepId === 'bootstrap:lab1-cp1' && line.stream === 'stdout').map((line) => line.text);
    expect(banner).toContain('[bootstrap-token] Using token: <bootstrap token>');
    expect(banner).toContain('	--control-plane --certificate-key <redacted>');
    expect(await lab.host.sessionCommandLines()).not.toContain('abcdef.0123456789abcdef');
    // Join secrets: written readable by root only (0600) and gone once the join is over.
    const vmFile = (vm: string, path: string) => join(lab.host.simDir, 'vms', vm, path);
    for (const vm of ['lab1-linux1', 'lab1-linux2']) expect(existsSync(vmFile(vm, 'etc/nestlab/join.yaml'))).toBe(false);
    expect((await stat(vmFile('lab1-cp1', 'etc/nestlab/kubeadm.yaml'))).mode & 0o777).toBe(0o600);
    const logs = await lab.labs.logs('lab1', { stepId: 'bootstrap:lab1-cp1' });
    expect(
      logs.some(
        (line) =>
          line.stream === 'command' && line.text === "'sudo' 'kubeadm' 'init' '--config' '/etc/nestlab/kubeadm.yaml' '--upload-certs'",
      ),
    ).toBe(true);
    // flannel's Windows manifests: fetched from their pinned commits by the first control plane (the
    // VM's stand-in curl serves them), their SHA-256 in the log, their image placeholders replaced.
    const fetched = await readFile(vmFile('lab1-cp1', 'curl.log'), 'utf8');
    expect(fetched).toBe(
      [WINDOWS_CNI_MANIFESTS.flannelOverlay.url, WINDOWS_CNI_MANIFESTS.flannelKubeProxy.url].map((url) => `${url} 0\n`).join(''),
    );
    const cniLog = (await lab.labs.logs('lab1', { stepId: 'cni' })).map((line) => line.text).join('\n');
    expect(cniLog).toMatch(new RegExp(`${WINDOWS_CNI_MANIFESTS.flannelOverlay.url} sha256 [0-9a-f]{64}`));
    const applied = await Promise.all(
      (await readdir(vmFile('lab1-cp1', 'applied'))).sort().map((file) => readFile(vmFile('lab1-cp1', `applied/${file}`), 'utf8')),
    );
    const windowsDaemonSets = applied.join('\n').match(/image: sigwindowstools\/.*/g);
    expect(windowsDaemonSets).toEqual([
      'image: sigwindowstools/flannel:v0.26.1-hostprocess',
      'image: sigwindowstools/kube-proxy:v1.30.8-flannel-hostprocess',
    ]);
  });

  it('scales Linux workers 2 -> 1: cordons and drains before deleting the node, then the VM', { timeout: 180_000 }, async () => {
    // A pod on the worker that goes away, so the drain has something to move.
    await admin.request('POST', '/api/v1/namespaces/default/pods', {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'victim' },
        spec: { nodeName: 'lab1-linux2', containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9' }] },
      },
    });
    await waitFor(
      async () =>
        (await admin.request<{ status: { phase?: string } }>('GET', '/api/v1/namespaces/default/pods/victim')).status.phase === 'Running',
    );

    const nodeStates: { unschedulable: boolean; at: number }[] = [];
    const poll = setInterval(() => {
      void admin
        .request<NodeView>('GET', '/api/v1/nodes/lab1-linux2')
        .then((node) => nodeStates.push({ unschedulable: node.spec.unschedulable === true, at: Date.now() }))
        .catch(() => undefined);
    }, 50);
    try {
      await lab.labs.scale('lab1', { linuxWorkers: 1, windowsWorkers: 1, drainTimeoutSeconds: 60 });
      const done = await lab.settled('lab1');
      expect(done.operation?.error).toBeUndefined();
      expect(stepOrder(done)).toEqual(['cordon:lab1-linux2', 'drain:lab1-linux2', 'delete-node:lab1-linux2', 'delete-vm:lab1-linux2']);
      const finished = Object.fromEntries((done.operation?.steps ?? []).map((step) => [step.id, Date.parse(step.finishedAt ?? '')]));
      // The VM went only after its node was deleted (stand-in event log, written on the host).
      const destroyed = (await lab.events()).find(([, event, vm]) => event === 'destroy' && vm === 'lab1-linux2');
      expect(Number(destroyed?.[0])).toBeGreaterThanOrEqual(finished['delete-node:lab1-linux2'] ?? Infinity);
      expect(done.machines.map((machine) => machine.name)).toEqual(['lab1-cp1', 'lab1-linux1', 'lab1-win1']);
    } finally {
      clearInterval(poll);
    }
    // The node was seen cordoned while it still existed; the pod was evicted; node and VM are gone.
    expect(nodeStates.some((state) => state.unschedulable)).toBe(true);
    await expect(admin.request('GET', '/api/v1/namespaces/default/pods/victim')).rejects.toMatchObject({ status: 404 });
    await expect(admin.request('GET', '/api/v1/nodes/lab1-linux2')).rejects.toMatchObject({ status: 404 });
    expect(await lab.domains()).toEqual([...baselineDomains, 'lab1-cp1', 'lab1-linux1', 'lab1-win1'].sort());
  });

  it('scales Linux workers 1 -> 2 again: creates and joins lab1-linux2, annotated', { timeout: 180_000 }, async () => {
    await lab.labs.scale('lab1', { linuxWorkers: 2, windowsWorkers: 1 });
    const done = await lab.settled('lab1');
    expect(done.operation?.error).toBeUndefined();
    expect(done.operation?.steps.map((step) => step.id)).toEqual([
      'create-vm:lab1-linux2',
      'address:lab1-linux2',
      'ssh:lab1-linux2',
      'join:lab1-linux2',
      'annotate:lab1-linux2',
      'ready',
    ]);
    const node = await admin.request<NodeView>('GET', '/api/v1/nodes/lab1-linux2');
    expect(node.metadata.annotations).toMatchObject({ [VM_ANNOTATION]: 'lab1-linux2' });
    expect(node.spec.unschedulable).toBeUndefined();
    expect((await lab.events()).filter(([, event]) => event === 'kubeadm-init')).toHaveLength(1);
    expect(await lab.domains()).toEqual([...baselineDomains, 'lab1-cp1', 'lab1-linux1', 'lab1-linux2', 'lab1-win1'].sort());
  });

  it(
    'a drain blocked by a PodDisruptionBudget times out naming the pod, keeps node and VM; resume finishes once the budget is gone',
    { timeout: 180_000 },
    async () => {
      await admin.request('POST', '/api/v1/namespaces/default/pods', {
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'guarded', labels: { app: 'guarded' } },
          spec: { nodeName: 'lab1-linux2', containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9' }] },
        },
      });
      await admin.request('POST', '/apis/policy/v1beta1/namespaces/default/poddisruptionbudgets', {
        body: {
          apiVersion: 'policy/v1beta1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'guarded' },
          spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
        },
      });
      // The disruption controller must have counted the pod before it refuses evictions.
      await waitFor(
        async () =>
          (
            await admin.request<{ status?: { currentHealthy?: number } }>(
              'GET',
              '/apis/policy/v1beta1/namespaces/default/poddisruptionbudgets/guarded',
            )
          ).status?.currentHealthy === 1,
      );

      await lab.labs.scale('lab1', { linuxWorkers: 1, windowsWorkers: 1, drainTimeoutSeconds: 3 });
      const failed = await lab.settled('lab1');
      expect(failed.status).toBe('failed');
      expect(failed.operation?.error?.code).toBe('TIMEOUT');
      expect(failed.operation?.error?.message).toContain(
        'still there: default/guarded (eviction refused by PodDisruptionBudget guarded). The node stays cordoned.',
      );
      expect((await admin.request<NodeView>('GET', '/api/v1/nodes/lab1-linux2')).spec.unschedulable).toBe(true);
      expect(await lab.domains()).toContain('lab1-linux2');

      await admin.request('DELETE', '/apis/policy/v1beta1/namespaces/default/poddisruptionbudgets/guarded');
      await lab.labs.resume('lab1');
      const done = await lab.settled('lab1');
      expect(done.operation?.error).toBeUndefined();
      expect(done.status).toBe('ready');
      expect(await lab.domains()).not.toContain('lab1-linux2');
      await expect(admin.request('GET', '/api/v1/namespaces/default/pods/guarded')).rejects.toMatchObject({ status: 404 });
    },
  );

  it('refuses a scale beyond the slider range and leaves the lab as it was', async () => {
    await expect(lab.labs.scale('lab1', { linuxWorkers: 25, windowsWorkers: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await lab.labs.get('lab1')).status).toBe('ready');
  });

  it('deletes the lab: VMs, disks, seeds, network and context go; nothing else on the host does', { timeout: 180_000 }, async () => {
    await lab.labs.remove('lab1');
    await waitFor(async () => !(await lab.labs.list()).some((l) => l.name === 'lab1'), { timeout: 60_000 });
    expect(await lab.domains()).toEqual(baselineDomains);
    expect(await lab.imageFiles()).toEqual(baselineImages);
    expect(await lab.clusters.contextNames()).not.toContain('lab1');
    const networks = await lab.hosts.run(lab.hostId, ['ls', `${lab.host.simDir}/libvirt/networks`]);
    expect(networks.stdout.trim()).toBe('');
    // Its HAProxy instance is stopped and disabled, and its configuration gone.
    expect(
      await lab.onHost('systemctl is-active nestlab-haproxy@lab1; systemctl is-enabled nestlab-haproxy@lab1; ls /etc/haproxy/nestlab'),
    ).toBe('inactive\ndisabled\n');
  });
});

describe('resuming (SIMULATION: stand-in VMs)', () => {
  it(
    'completes after the SSH connection drops mid-run, with no duplicate VM and no second kubeadm init',
    { timeout: 180_000 },
    async () => {
      await lab.labs.create(lab.plan('lab2', 2, { linuxWorkers: 1 }));
      // Cut the link right after kubeadm init ran on the host's side.
      await waitFor(async () => (await lab.events()).some(([, event, vm]) => event === 'kubeadm-init' && vm === 'lab2-cp1'), {
        interval: 20,
        timeout: 60_000,
      });
      lab.proxy.dropAll();
      const failed = await lab.settled('lab2');
      expect(failed.status).toBe('failed');
      expect(failed.operation?.error?.code, JSON.stringify(failed.operation?.error)).toBe('SSH_DISCONNECTED');

      await lab.labs.resume('lab2');
      const done = await lab.settled('lab2');
      expect(done.operation?.error).toBeUndefined();
      expect(done.status).toBe('ready');
      const events = await lab.events();
      expect(events.filter(([, event, vm]) => event === 'kubeadm-init' && vm === 'lab2-cp1')).toHaveLength(1);
      expect(events.filter(([, event, vm]) => event === 'virt-install' && vm?.startsWith('lab2-'))).toHaveLength(2);
      expect((await lab.domains()).filter((name) => name.startsWith('lab2-'))).toEqual(['lab2-cp1', 'lab2-linux1']);
      expect((await lab.clusters.listNodes('lab2')).filter((n) => n.name.startsWith('lab2-')).map((n) => n.ready)).toEqual([true, true]);
      await lab.labs.remove('lab2');
      await waitFor(async () => !(await lab.labs.list()).some((l) => l.name === 'lab2'), { timeout: 60_000 });
    },
  );

  it('cancels a running provisioning and continues it on resume', { timeout: 180_000 }, async () => {
    await lab.labs.create(lab.plan('lab4', 1, { linuxWorkers: 0 }));
    await waitFor(async () => (await lab.events()).some(([, event, vm]) => event === 'virt-install' && vm === 'lab4-cp1'), {
      interval: 20,
      timeout: 60_000,
    });
    await lab.labs.cancel('lab4');
    const cancelled = await lab.labs.get('lab4');
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.operation?.error?.code).toBe('CANCELLED');
    expect(cancelled.operation?.steps.some((step) => step.status === 'pending')).toBe(true);
    await lab.labs.resume('lab4');
    const done = await lab.settled('lab4');
    expect(done.status).toBe('ready');
    expect((await lab.events()).filter(([, event, vm]) => event === 'virt-install' && vm === 'lab4-cp1')).toHaveLength(1);
    await lab.labs.remove('lab4');
    await waitFor(async () => !(await lab.labs.list()).some((l) => l.name === 'lab4'), { timeout: 60_000 });
  });

  it('resumes from persisted state after the service restarts (a new instance on the same data folder)', { timeout: 180_000 }, async () => {
    await lab.labs.create(lab.plan('lab3', 3, { linuxWorkers: 0 }));
    await waitFor(async () => (await lab.events()).some(([, event, vm]) => event === 'virt-install' && vm === 'lab3-cp1'), {
      interval: 20,
      timeout: 60_000,
    });
    const old = lab.labs;
    old.dispose();
    await old.whenSettled('lab3');

    const restarted = lab.restartLabs();
    expect((await restarted.get('lab3')).status).toBe('interrupted');
    await restarted.resume('lab3');
    const done = await lab.settled('lab3');
    expect(done.operation?.error).toBeUndefined();
    expect(done.status).toBe('ready');
    const events = await lab.events();
    expect(events.filter(([, event, vm]) => event === 'virt-install' && vm === 'lab3-cp1')).toHaveLength(1);
    expect(events.filter(([, event, vm]) => event === 'kubeadm-init' && vm === 'lab3-cp1')).toHaveLength(1);
    await restarted.remove('lab3');
    await waitFor(async () => !(await restarted.list()).some((l) => l.name === 'lab3'), { timeout: 60_000 });
    expect(await lab.domains()).toEqual(baselineDomains);
  });
});
