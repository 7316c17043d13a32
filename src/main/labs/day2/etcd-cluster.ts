/**
 * What the etcd snapshot steps share: whether a lab can have snapshots, how its API server reaches
 * etcd and who the members are (read from kubeadm's static pod manifests on the machines, in
 * place or set aside by a restore), and the host side of the snapshot shelf.
 */
import type { EtcdSnapshot, LabMachine, LabPlan } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import type { LabDriver } from '../lab-driver';
import { writeFileArgv } from '../remote-file';
import type { StepContext } from '../step-context';
import type { StepDefinition } from '../step-planner';
import { LIST_SCRIPT, parseShelf, shelfDir } from './etcd-shelf';

export const MANIFESTS = '/etc/kubernetes/manifests';
/** Where the restore sets static pod manifests aside (the kubelet stops their pods), and takes them back from. */
export const PAUSED = '/etc/kubernetes/nestlab-paused';
export const WORK_DIR = '/var/lib/nestlab';
export const VM_SNAPSHOT = `${WORK_DIR}/etcd-snapshot.db`;
/** k3s' datastore folder on a server: embedded etcd (etcd/), k3s' own snapshots, reset-flag. */
export const K3S_DB = '/var/lib/rancher/k3s/server/db';
export const K3S_SNAPSHOTS = `${K3S_DB}/snapshots`;
/** The control-plane components a restore stops: every one that reads or caches etcd's contents. */
export const API_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

/** Whether a lab can take etcd snapshots; `reason` says why not and what to do. */
export function etcdSnapshotSupport(plan: LabPlan): { supported: true } | { supported: false; reason: string } {
  if (plan.distribution === 'k3s' && plan.controlPlaneCount === 1) {
    return {
      supported: false,
      reason:
        'This k3s lab has one server, which keeps the cluster in SQLite (kine), not in etcd: there is no etcd to snapshot. ' +
        'Copy /var/lib/rancher/k3s/server/db/ with k3s stopped instead, or plan a lab with 3 control planes (k3s then runs embedded etcd).',
    };
  }
  if (plan.driver !== 'libvirt') {
    return {
      supported: false,
      reason: `etcd snapshots are kept on a Linux lab host (libvirt); a ${plan.driver === 'hyperv' ? 'Hyper-V' : 'existing-machines'} lab does not have one yet. Run etcdctl snapshot save on a control plane by hand meanwhile.`,
    };
  }
  return { supported: true };
}

/** What an etcd operation was asked for; persisted with the operation so a resume knows it. */
export interface EtcdOperationRequest {
  snapshot: string;
  keep?: number;
  copyToComputer?: boolean;
}

/** What the steps need besides the step context. */
export interface EtcdStepsEnvironment {
  driver: LabDriver;
  /** The lab's snapshot folder on this computer (copies), 0700. */
  localDir: string;
  /** Writes a copy on this computer (0600) and returns its path. */
  saveLocalCopy(name: string, content: Buffer): Promise<string>;
}

/** How the first control plane's API server reaches etcd: its manifest's --etcd-* flags. */
export interface EtcdClient {
  endpoints: string[];
  cacert: string;
  cert: string;
  key: string;
}

/** k3s' embedded etcd as a k3s server reaches it: on loopback, with the client certificate k3s writes for itself. */
export const K3S_ETCD_CLIENT: EtcdClient = {
  endpoints: ['https://127.0.0.1:2379'],
  cacert: '/var/lib/rancher/k3s/server/tls/etcd/server-ca.crt',
  cert: '/var/lib/rancher/k3s/server/tls/etcd/client.crt',
  key: '/var/lib/rancher/k3s/server/tls/etcd/client.key',
};

/** `--name=value` flags of a kubeadm static pod manifest (`    - --name=value` lines of its command). */
export function manifestFlags(manifest: string): Map<string, string> {
  const flags = new Map<string, string>();
  for (const match of manifest.matchAll(/^\s*-\s+--([a-z0-9-]+)=(.*?)\s*$/gm)) flags.set(match[1] ?? '', match[2] ?? '');
  return flags;
}

export function etcdClientOf(manifest: string, machine: string): EtcdClient {
  const flags = manifestFlags(manifest);
  const servers = flags.get('etcd-servers');
  const cacert = flags.get('etcd-cafile');
  const cert = flags.get('etcd-certfile');
  const key = flags.get('etcd-keyfile');
  if (servers === undefined || cacert === undefined || cert === undefined || key === undefined) {
    throw new AppError(
      'PROGRAM_FAILED',
      `The API server manifest on ${machine} has no --etcd-servers, --etcd-cafile, --etcd-certfile and --etcd-keyfile: Nestlab cannot tell how it reaches etcd.`,
      { fix: `Check ${MANIFESTS}/kube-apiserver.yaml on ${machine} (kubeadm writes it at init).` },
    );
  }
  return { endpoints: servers.split(',').filter((url) => url !== ''), cacert, cert, key };
}

/** etcdctl with the API server's client certificate, against `endpoint`. Paths stay separate arguments (sudo maps them in the stand-ins too). */
export function etcdctl(client: EtcdClient, endpoint: string, ...args: string[]): string[] {
  return ['etcdctl', '--endpoints', endpoint, '--cacert', client.cacert, '--cert', client.cert, '--key', client.key, ...args];
}

/** A file of a VM read as root (a static pod manifest, in place or set aside); undefined when in neither place. */
export async function readManifest(ctx: StepContext, machine: LabMachine, name: string): Promise<string | undefined> {
  for (const dir of [MANIFESTS, PAUSED]) {
    const result = await ctx.observeVm(machine, { argv: ['cat', '--', `${dir}/${name}.yaml`] }, { root: true, secretOutput: true });
    if (result.exitCode === 0) return result.stdout;
  }
  return ctx.dry
    ? '    - --etcd-servers=https://127.0.0.1:2379\n    - --etcd-cafile=<ca>\n    - --etcd-certfile=<cert>\n    - --etcd-keyfile=<key>\n    - --name=<member>\n    - --data-dir=/var/lib/etcd\n    - --initial-advertise-peer-urls=<peer url>\n    - --advertise-client-urls=<client url>\n'
    : undefined;
}

/**
 * kubeadm installs no etcdctl (a real guest found it missing). A lab with an offline bundle gets it
 * from the bundle's bin/ (`npm run bundle -- --tool etcdctl=FILE`); a lab with a route out gets the
 * distribution's etcd-client package (Debian, Ubuntu) the first time a snapshot needs it.
 */
export async function ensureEtcdctl(ctx: StepContext, machine: LabMachine): Promise<void> {
  const present = async () => (await ctx.observeVm(machine, { argv: ['sh', '-c', 'command -v etcdctl'] }, { root: true })).exitCode === 0;
  if ((await present()) || ctx.dry) return;
  if (ctx.plan.offlineBundle === undefined) {
    ctx.log(`etcdctl is not installed on ${machine.name}: installing the distribution's etcd-client package.`);
    await ctx.observeVm(
      machine,
      { argv: ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', 'etcd-client'] },
      { root: true, timeoutMs: 600_000 },
    );
    if (await present()) return;
  }
  throw new AppError(
    'PROGRAM_MISSING',
    `etcdctl is not installed on ${machine.name}, and etcd snapshots run it there (${ctx.plan.distribution === 'k3s' ? 'k3s ships none' : 'kubeadm does not install it'}).`,
    {
      machine: machine.name,
      fix:
        ctx.plan.offlineBundle === undefined
          ? `Install the etcd-client package on ${machine.name} (or put etcd's etcdctl in /usr/local/bin there), then try again.`
          : `Put etcdctl (from etcd's release archive) in /usr/local/bin on ${machine.name}, then try again; for new labs, add it to the offline bundle: npm run bundle -- ... --tool etcdctl=FILE.`,
    },
  );
}

export async function etcdClient(ctx: StepContext, first: LabMachine): Promise<EtcdClient> {
  await ensureEtcdctl(ctx, first);
  const manifest = await readManifest(ctx, first, 'kube-apiserver');
  if (manifest === undefined) {
    throw new AppError('NOT_FOUND', `${first.name} has no kube-apiserver static pod manifest.`, {
      fix: 'etcd snapshots need a kubeadm control plane; resume the lab if its provisioning did not finish.',
    });
  }
  return etcdClientOf(manifest, first.name);
}

/** One etcd member, from its static pod manifest. */
export interface EtcdMember {
  machine: LabMachine;
  name: string;
  dataDir: string;
  peerUrl: string;
  clientUrl: string;
  token?: string;
}

export function memberOf(machine: LabMachine, manifest: string): EtcdMember {
  const flags = manifestFlags(manifest);
  const name = flags.get('name');
  const dataDir = flags.get('data-dir');
  const peerUrl = flags.get('initial-advertise-peer-urls');
  const clientUrl = flags.get('advertise-client-urls');
  if (name === undefined || dataDir === undefined || peerUrl === undefined || clientUrl === undefined) {
    throw new AppError(
      'PROGRAM_FAILED',
      `The etcd manifest on ${machine.name} has no --name, --data-dir, --initial-advertise-peer-urls and --advertise-client-urls.`,
      {
        fix: `Check ${MANIFESTS}/etcd.yaml on ${machine.name}.`,
      },
    );
  }
  const token = flags.get('initial-cluster-token');
  return { machine, name, dataDir, peerUrl, clientUrl: clientUrl.split(',')[0] ?? clientUrl, ...(token === undefined ? {} : { token }) };
}

/** The machines that run etcd: the control planes (stacked) or the etcd VMs (external). */
export function etcdMachines(plan: LabPlan, machines: readonly LabMachine[]): LabMachine[] {
  return machines.filter((machine) => machine.role === (plan.etcd === 'external' ? 'etcd' : 'control-plane'));
}

export async function members(ctx: StepContext): Promise<EtcdMember[]> {
  const list: EtcdMember[] = [];
  for (const machine of etcdMachines(ctx.plan, ctx.machines)) {
    const manifest = await readManifest(ctx, machine, 'etcd');
    if (manifest === undefined) {
      throw new AppError('NOT_FOUND', `${machine.name} has no etcd static pod manifest.`, {
        fix: `Check ${MANIFESTS} on ${machine.name}.`,
      });
    }
    list.push(memberOf(machine, manifest));
  }
  return list;
}

export function firstControlPlane(ctx: StepContext): LabMachine {
  const first = ctx.machines.find((machine) => machine.role === 'control-plane');
  if (first === undefined) throw new AppError('INTERNAL', 'The lab has no control plane.');
  return first;
}

export function step(
  phase: StepDefinition['phase'],
  id: string,
  title: string,
  estimateMs: number,
  run: StepDefinition['run'],
  vm?: string,
): StepDefinition {
  return { id, phase, title, estimateMs, run, ...(vm === undefined ? {} : { vm }) };
}

/** The host's view of one snapshot: its files, and whether the save finished (status written last). */
export async function onShelf(ctx: StepContext, name: string): Promise<EtcdSnapshot | undefined> {
  const result = await ctx.observeHost(['sh', '-c', LIST_SCRIPT, 'nestlab-list', shelfDir(ctx.plan)], { secretOutput: true });
  return parseShelf(result.stdout).find((snapshot) => snapshot.name === name);
}

export async function hostDigest(ctx: StepContext, path: string): Promise<string | undefined> {
  const result = await ctx.observeHost(['sha256sum', '--', path]);
  return result.exitCode === 0 ? /^([0-9a-f]{64})\b/.exec(result.stdout)?.[1] : undefined;
}

export async function vmDigest(ctx: StepContext, machine: LabMachine, path: string): Promise<string | undefined> {
  const result = await ctx.observeVm(machine, { argv: ['sha256sum', '--', path] }, { root: true });
  return result.exitCode === 0 ? /^([0-9a-f]{64})\b/.exec(result.stdout)?.[1] : undefined;
}

export async function pathExists(ctx: StepContext, machine: LabMachine, path: string): Promise<boolean> {
  return (await ctx.observeVm(machine, { argv: ['test', '-e', path] }, { root: true })).exitCode === 0;
}

/** `base`, or `base.2`, `base.3`...: the first path not taken on `machine` (an old data dir an earlier restore of the same snapshot kept stays). */
export async function freePath(ctx: StepContext, machine: LabMachine, base: string): Promise<string> {
  for (let index = 1; index < 100; index += 1) {
    const path = index === 1 ? base : `${base}.${index}`;
    if (!(await pathExists(ctx, machine, path))) return path;
  }
  throw new AppError('CONFLICT', `${machine.name} already keeps 99 old copies beside ${base}.`, {
    fix: `Remove the ${base}* folders on ${machine.name} you no longer need, then resume.`,
  });
}

/** Writes a small file of the shelf on the host (0600), its content on stdin. */
export async function writeOnHost(ctx: StepContext, path: string, content: string, label: string): Promise<void> {
  await ctx.host(writeFileArgv(path, '0600', content), { stdin: content, stdinLabel: label, secretOutput: true });
}
