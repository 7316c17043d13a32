/**
 * What the real-VM lab tests share (tests/integration/real-vms): a REAL libvirt host (libvirtd,
 * QEMU in software emulation, dnsmasq, cloud-localds in the host's own namespaces), Nestlab's own
 * Hosts, Clusters and Labs services on a fresh data folder with the host added and its key
 * trusted, the offline bundle, and the guest image copied where a user puts a cloud image.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClustersService } from '../../../src/main/clusters/clusters-service';
import { LabHosts } from '../../../src/main/hosts/lab-hosts';
import { libvirtPaths } from '../../../src/main/labs/lab-paths';
import { LabsService } from '../../../src/main/labs/labs-service';
import { sshToVm } from '../../../src/main/labs/libvirt-driver';
import { MemorySecretStore } from '../../../src/main/secrets/memory-secret-store';
import { defaultLabPlan, type LabPlan } from '../../../src/shared/contract/labs';
import { relayHostPort } from '../ssh/host-port-relay';
import { realLibvirtHost } from '../ssh/profiles';
import { requireRealLibvirt } from '../ssh/real-libvirt';
import { startDropProxy, type DropProxy } from '../ssh/tcp-fixtures';
import { startTestHost, type TestHost } from '../ssh/test-host';
import { assembleNodeBundle, guestImagePath, requireRealVmArtifacts } from './node-bundle';

/** libvirt's default storage folder on the host, where the driver keeps each lab's disks. */
export const STORAGE = '/var/lib/libvirt/images';
/** Where the user put the cloud image the lab's VMs boot from (here: the guest image npm test built). */
export const BASE_IMAGE = `${STORAGE}/nestlab-base/debian-12-nestlab.qcow2`;

export interface RealLabFixture {
  host: TestHost;
  dataDir: string;
  /** The offline bundle on this computer (a temporary folder). */
  bundle: string;
  hosts: LabHosts;
  clusters: ClustersService;
  labs: LabsService;
  hostId: string;
  /** With dropLink: the proxy between Nestlab and the host's sshd, which the test can cut. */
  link?: DropProxy;
  /** With kubernetes: the lab host's API port (HAProxy), reached from here on the same port number. */
  apiPort?: { port: number; close(): Promise<void> };
  /** `virsh -c qemu:///system ...` on the host over Nestlab's connection: stdout and stderr together. */
  virsh(...args: string[]): Promise<string>;
  /** A command on a lab VM, from the host, with the lab's key (as the driver runs them); throws when it fails. */
  onVm(plan: LabPlan, address: string, remote: string): Promise<string>;
  /**
   * The plan a user makes in the form for a lab named `name`: Kubernetes 1.20.2 on the guest image,
   * the network Nestlab proposes for this host, the bundle, HAProxy's host port where the test
   * relays it, and (with kubernetes) the bundle's CNI: nothing from a registry (flannel's and
   * Calico's images exist only there). The caller sets the machines and their sizes.
   */
  basePlan(name: string): Promise<LabPlan>;
  /** The lab's status, steps, last log lines, DHCP leases and domains: for a failing test's message. */
  describeLab(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface RealLabFixtureOptions {
  /** The bundle also carries the node images, crictl and the bridge CNI for the lab's pod range: kubeadm runs to its end. */
  kubernetes: boolean;
  /** Nestlab reaches the host's sshd through a proxy that the test can cut. */
  dropLink?: boolean;
  /** The lab name, for the pod range Nestlab proposes (the bundle's bridge CNI takes it). */
  labName: string;
}

export async function startRealLabFixture(options: RealLabFixtureOptions): Promise<RealLabFixture> {
  requireRealLibvirt();
  requireRealVmArtifacts();
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const next of closers.splice(0).reverse()) await next();
  };
  try {
    // The disk check counts every VM's whole disk (thin-provisioned): a tmpfs limit of 40 GiB, used far less.
    const host = await startTestHost({ simulation: { ...realLibvirtHost, diskGiB: 40 }, realLibvirt: true });
    closers.push(() => host.stop());
    const dataDir = await mkdtemp(join(tmpdir(), 'nestlab-real-lab-'));
    closers.push(() => rm(dataDir, { recursive: true, force: true }));
    const secrets = new MemorySecretStore();
    const hosts = await LabHosts.create({ dataDir, secrets, reconnect: false });
    const clusters = new ClustersService({ dataDir, secrets, refreshIntervalMs: 0 });
    const labs = new LabsService({ dataDir, hosts, clusters, changeIntervalMs: 200 });
    closers.push(() => {
      labs.dispose();
      clusters.dispose();
      hosts.dispose();
      return Promise.resolve();
    });
    const link = options.dropLink ? await startDropProxy(host.port) : undefined;
    if (link !== undefined) closers.push(() => link.close());
    const added = await hosts.add({
      name: 'real-libvirt',
      address: '127.0.0.1',
      port: link?.port ?? host.port,
      user: host.user,
      auth: { kind: 'pastedKey', privateKey: host.clientKey.privateKey },
    });
    const hostId = added.id;
    await hosts.acceptHostKey(hostId, (await host.hostKey()).fingerprint);
    // The network between this computer and the lab host, for the port the saved kubeconfig names.
    const apiPort = options.kubernetes ? await relayHostPort(host, 'api') : undefined;
    if (apiPort !== undefined) closers.push(() => apiPort.close());
    // The bundle's bridge CNI takes the pod range Nestlab proposes for this lab.
    const bundle = await assembleNodeBundle(
      options.kubernetes ? { kubernetes: { podCidr: (await labs.proposeNetwork(hostId, options.labName)).network.podCidr } } : {},
    );
    closers.push(() => rm(bundle, { recursive: true, force: true }));
    // The user's step before a first lab: a cloud image on the host (here: the one npm test built).
    await hosts.runAsRoot(hostId, ['mkdir', '-p', `${STORAGE}/nestlab-base`]);
    const copied = await hosts.runAsRoot(hostId, ['cp', guestImagePath(), BASE_IMAGE], { timeoutMs: 120_000 });
    if (copied.exitCode !== 0) throw new Error(`copying the guest image to the host failed: ${copied.stderr}`);

    const virsh = async (...args: string[]): Promise<string> => {
      const result = await hosts.run(hostId, ['virsh', '-c', 'qemu:///system', ...args]);
      return `${result.stdout}${result.stderr}`;
    };
    const onVm = async (plan: LabPlan, address: string, remote: string): Promise<string> => {
      const result = await hosts.run(hostId, sshToVm(libvirtPaths(STORAGE, plan.name), address, remote), { timeoutMs: 60_000 });
      if (result.exitCode !== 0) throw new Error(`\`${remote}\` on ${address} exited ${result.exitCode}: ${result.stderr}`);
      return result.stdout.trim();
    };
    const describeLab = async (name: string): Promise<string> => {
      const lab = await labs.get(name);
      const steps = (lab.operation?.steps ?? []).map((step) => `${step.id}: ${step.status} ${step.detail ?? ''}`).join('\n');
      const logs = (await labs.logs(name, { limit: 80 })).map((line) => `${line.stepId} ${line.stream}: ${line.text}`).join('\n');
      const leases = await virsh('net-dhcp-leases', libvirtPaths(STORAGE, name).network);
      const domains = await virsh('list', '--all');
      return `status ${lab.status}\n${steps}\n${logs}\nleases:\n${leases}\ndomains:\n${domains}`;
    };
    const basePlan = async (name: string): Promise<LabPlan> => {
      const proposal = await labs.proposeNetwork(hostId, name);
      const base = defaultLabPlan(hostId, name);
      return {
        ...base,
        kubernetesVersion: '1.20.2',
        network: proposal.network,
        apiEndpoint: {
          ...base.apiEndpoint,
          address: proposal.apiEndpointAddress,
          ...(apiPort === undefined ? {} : { hostPort: apiPort.port }),
        },
        baseImage: BASE_IMAGE,
        offlineBundle: bundle,
        ...(options.kubernetes ? { cni: 'bundle' as const } : {}),
      };
    };
    return {
      host,
      dataDir,
      bundle,
      hosts,
      clusters,
      labs,
      hostId,
      ...(link === undefined ? {} : { link }),
      ...(apiPort === undefined ? {} : { apiPort }),
      virsh,
      onVm,
      basePlan,
      describeLab,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
