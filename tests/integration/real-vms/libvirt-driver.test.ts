import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testNetwork } from '../../../src/main/labs/test-plans';
import { defaultLabPlan, type LabMachine, type LabOperation, type LabPlan } from '../../../src/shared/contract/labs';
import { LabHosts } from '../../../src/main/hosts/lab-hosts';
import { initialSteps, runSteps, type EngineEnvironment } from '../../../src/main/labs/engine';
import { LibvirtDriver } from '../../../src/main/labs/libvirt-driver';
import { machinesOf } from '../../../src/main/labs/machines';
import { MemorySecretStore } from '../../../src/main/secrets/memory-secret-store';
import type { StepDefinition } from '../../../src/main/labs/step-planner';
import { deleteLabSnapshot, labSnapshotName, labSnapshotSteps, listLabSnapshots } from '../../../src/main/labs/day2/lab-snapshots';
import { skipped } from '../../../src/main/labs/step-context';
import { realLibvirtHost } from '../../harness/ssh/profiles';
import { startTestHost, type TestHost } from '../../harness/ssh/test-host';

/** A test's DHCP client on a lab bridge (dhcp-offer-on-bridge.sh): what a new VM is offered, as JSON. */
const DHCP_CLIENT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'harness', 'real-vms');

/**
 * The libvirt driver's host-side steps (lab folder and key, NAT network, disk, cloud-init seed,
 * virt-install, then delete and clean-up) against the REAL libvirt stack: libvirtd, QEMU in
 * software emulation, qemu-img, cloud-localds and dnsmasq, in a test host's own namespaces.
 * The base image is an empty qcow2, so the VM boots no OS yet (the Debian guest image is the
 * next slice of issue 18); everything the host does for a lab is real.
 */
describe('libvirt driver against a real libvirt host (REAL libvirtd + QEMU TCG)', () => {
  let host: TestHost;
  let dataDir: string;
  let hosts: LabHosts;
  let hostId: string;
  const log: string[] = [];
  const baseImage = '/var/lib/libvirt/images/nestlab-base/empty-base.qcow2';
  /** A revert waits for the lab's joined nodes: this VM boots no OS and has none. */
  const noNodes = { waitReady: () => Promise.resolve(skipped('No node: the VM boots no OS.')) };

  beforeAll(async () => {
    host = await startTestHost({ simulation: realLibvirtHost, realLibvirt: true });
    dataDir = await mkdtemp(join(tmpdir(), 'nestlab-real-libvirt-'));
    hosts = await LabHosts.create({ dataDir, secrets: new MemorySecretStore(), reconnect: false });
    const added = await hosts.add({
      name: 'real-libvirt',
      address: '127.0.0.1',
      port: host.port,
      user: host.user,
      auth: { kind: 'pastedKey', privateKey: host.clientKey.privateKey },
    });
    hostId = added.id;
    await hosts.acceptHostKey(hostId, (await host.hostKey()).fingerprint);
    await hosts.run(hostId, ['mkdir', '-p', '/var/lib/libvirt/images/nestlab-base']);
    const made = await hosts.run(hostId, ['qemu-img', 'create', '-q', '-f', 'qcow2', baseImage, '1G']);
    expect(made.exitCode, made.stderr).toBe(0);
  });
  afterAll(async () => {
    hosts?.dispose();
    await host?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const virsh = async (...args: string[]): Promise<string> => {
    const result = await hosts.run(hostId, ['virsh', '-c', 'qemu:///system', ...args]);
    return `${result.stdout}${result.stderr}`;
  };

  function environment(plan: LabPlan, machines: LabMachine[], driver: LibvirtDriver): EngineEnvironment {
    return {
      plan,
      machines,
      storagePath: '/var/lib/libvirt/images',
      driver,
      host: {
        run: (argv, { root, ...exec }) => (root ? hosts.runAsRoot(hostId, argv, exec) : hosts.run(hostId, argv, exec)),
        runPowerShell: () => Promise.reject(new Error('not a Windows host')),
      },
      log: (line) => log.push(`${line.stream} ${line.text}`),
      changed: () => undefined,
    };
  }

  async function run(env: EngineEnvironment, definitions: StepDefinition[]): Promise<LabOperation> {
    const operation: LabOperation = {
      kind: 'provision',
      steps: initialSteps(definitions),
      progress: 0,
      startedAt: new Date().toISOString(),
      elapsedMs: 0,
      remainingMs: 0,
    };
    await runSteps(env, operation, definitions, new AbortController().signal);
    return operation;
  }

  it('creates the network, disk, seed and a running QEMU domain, then removes every trace', async () => {
    const plan: LabPlan = {
      ...defaultLabPlan(hostId, 'real1'),
      linuxWorkers: 0,
      windowsWorkers: 0,
      network: testNetwork('192.168.151'),
      baseImage,
    };
    const machines = machinesOf(plan);
    expect(machines.map((machine) => machine.name)).toEqual(['real1-cp1']);
    const machine = machines[0]!;
    const driver = new LibvirtDriver(plan, '/var/lib/libvirt/images', 'lab-real1');
    const env = environment(plan, machines, driver);
    const step = (id: string, phase: StepDefinition['phase'], work: StepDefinition['run']): StepDefinition => ({
      id,
      phase,
      title: id,
      run: work,
      estimateMs: 1,
    });

    await run(env, [
      step('prepare', 'prepare', (ctx) => driver.prepare(ctx)),
      step('network', 'network', (ctx) => driver.ensureNetwork(ctx)),
      step(`create-vm:${machine.name}`, 'vms', (ctx) => driver.ensureVm(ctx, machine)),
    ]).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${log.join('\n')}`);
    });

    expect(await virsh('net-info', driver.paths.network)).toMatch(/Active:\s+yes/);
    // The lab's folder is a storage pool of its own, so virt-install never defines one per disk.
    expect(await virsh('pool-info', driver.paths.pool)).toMatch(/State:\s+running/);
    expect(await virsh('domstate', machine.name)).toMatch(/running/);
    // No KVM here: the driver saw it in libvirt's capabilities and asked for software emulation.
    expect(await virsh('dumpxml', machine.name)).toMatch(/<domain type='qemu'/);
    expect(log.join('\n')).toContain('offers no KVM: the VM runs under QEMU software emulation');
    const disk = await hosts.run(hostId, ['qemu-img', 'info', '-U', `${driver.paths.storageDir}/${machine.name}.qcow2`]);
    expect(disk.stdout).toContain(`backing file: ${baseImage}`);
    const seed = await hosts.run(hostId, ['file', '-b', `${driver.paths.storageDir}/${machine.name}-seed.iso`]);
    expect(seed.stdout + seed.stderr).toMatch(/ISO 9660|cidata|data/i);

    // Running the same steps again changes nothing (each step observes before it acts).
    const again = await run(env, [
      step('network', 'network', (ctx) => driver.ensureNetwork(ctx)),
      step(`create-vm:${machine.name}`, 'vms', (ctx) => driver.ensureVm(ctx, machine)),
    ]);
    expect(again.steps.map((s) => s.status)).toEqual(['skipped', 'skipped']);
    expect((await virsh('list', '--all', '--name')).trim()).toBe(machine.name);

    // A lab snapshot of the running VM with REAL libvirt (issue 21): paused, an internal snapshot
    // with its memory in the qcow2 overlay (the read-only raw seed stays out of it), resumed; listed
    // by name; reverted (paused as taken, then resumed); deleted. The VM boots no OS here, so the
    // revert's wait for Ready nodes (none) is not run.
    const vms: LabMachine[] = [{ ...machine, state: 'created' }];
    const snapshot = labSnapshotName(new Date());
    const snapshotEnv = { ...env, machines: vms };
    const taken = await run(snapshotEnv, labSnapshotSteps('lab-snapshot', plan, vms, snapshot, noNodes)).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${log.join('\n')}`);
    });
    expect(taken.steps.map((s) => [s.id, s.status, s.error?.message])).toEqual([['lab-snapshot', 'done', undefined]]);
    expect(log.join('\n')).toContain('Paused 1 VM(s)');
    expect(await virsh('domstate', machine.name)).toMatch(/^running/);
    expect(await virsh('snapshot-info', machine.name, snapshot)).toMatch(/State:\s+paused[\s\S]*Location:\s+internal/);
    const listed = await listLabSnapshots(plan, vms, env.host);
    expect(listed.snapshots).toEqual([{ name: snapshot, takenAt: expect.any(String), machines: [machine.name], complete: true }]);

    const revert = labSnapshotSteps('lab-revert', plan, vms, snapshot, noNodes).filter((definition) => definition.id === 'lab-revert');
    const reverted = await run(snapshotEnv, revert);
    expect(reverted.steps.map((s) => [s.id, s.status, s.error?.message])).toEqual([['lab-revert', 'done', undefined]]);
    expect(await virsh('domstate', machine.name)).toMatch(/^running/);
    expect((await virsh('snapshot-current', '--name', machine.name)).trim()).toBe(snapshot);

    await deleteLabSnapshot(plan, vms, env.host, snapshot);
    expect((await virsh('snapshot-list', machine.name, '--name')).trim()).toBe('');
    expect((await listLabSnapshots(plan, vms, env.host)).snapshots).toEqual([]);

    await run(env, [
      step(`delete-vm:${machine.name}`, 'delete-vms', (ctx) => driver.deleteVm(ctx, machine)),
      step('cleanup', 'cleanup', (ctx) => driver.cleanup(ctx)),
    ]);
    expect((await virsh('list', '--all', '--name')).trim()).toBe('');
    expect(await virsh('net-list', '--all', '--name')).not.toContain(driver.paths.network);
    expect(await virsh('pool-list', '--all', '--name')).not.toContain(driver.paths.pool);
    const left = await hosts.run(hostId, ['ls', '-A', '/var/lib/libvirt/images']);
    expect(left.stdout.split('\n').filter((entry) => entry !== '' && entry !== 'nestlab-base')).toEqual([]);
  });

  it('three control planes: the endpoint address is on the lab bridge, and the REAL dnsmasq still offers VMs the subnet broadcast address (with the /32 it offered the endpoint, which VMs then could not connect to)', async () => {
    const plan: LabPlan = {
      ...defaultLabPlan(hostId, 'real3'),
      controlPlaneCount: 3,
      linuxWorkers: 0,
      windowsWorkers: 0,
      network: testNetwork('192.168.152'),
      apiEndpoint: { host: 'real3-api.lab.internal', port: 6443, address: '192.168.152.10' },
      baseImage,
    };
    const driver = new LibvirtDriver(plan, '/var/lib/libvirt/images', 'lab-real3');
    const env = environment(plan, machinesOf(plan), driver);
    const step = (id: string, work: StepDefinition['run']): StepDefinition => ({
      id,
      phase: 'network',
      title: id,
      run: work,
      estimateMs: 1,
    });
    await run(env, [step('prepare', (ctx) => driver.prepare(ctx)), step('network', (ctx) => driver.ensureNetwork(ctx))]);
    try {
      const bridge = /Bridge:\s+(\S+)/.exec(await virsh('net-info', driver.paths.network))?.[1] ?? '';
      const addresses = await hosts.run(hostId, ['ip', '-4', '-o', 'addr', 'show', 'dev', bridge]);
      expect(addresses.stdout).toContain('inet 192.168.152.10/32');
      // A client on the lab bridge, where a VM's interface would be: one end of a veth pair is a port of the bridge.
      const bin = join(host.dir, 'bin');
      for (const file of ['dhcp-offer-on-bridge.sh', 'dhcp-discover.py']) await copyFile(join(DHCP_CLIENT_DIR, file), join(bin, file));
      const offer = await hosts.runAsRoot(hostId, ['sh', join(bin, 'dhcp-offer-on-bridge.sh'), bridge, '52:54:00:0a:0b:0c', '60'], {
        timeoutMs: 120_000,
      });
      expect(offer.exitCode, offer.stderr).toBe(0);
      const answer = JSON.parse(offer.stdout) as { address: string; netmask: string; router: string; broadcast: string };
      expect(answer.address).toMatch(/^192\.168\.152\.1\d\d$/);
      expect([answer.netmask, answer.router, answer.broadcast]).toEqual(['255.255.255.0', '192.168.152.1', '192.168.152.255']);
    } finally {
      await run(env, [step('cleanup', (ctx) => driver.cleanup(ctx))]);
    }
    expect(await virsh('net-list', '--all', '--name')).not.toContain(driver.paths.network);
  }, 180_000);
});
