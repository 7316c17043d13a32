/**
 * Turning machines into a cluster: kubeadm (stacked or external etcd) or k3s, on Linux nodes;
 * Windows workers are windows-node.ts, the network plugin cni-step.ts, Kubernetes' tools and the
 * offline bundle node-install.ts. Join credentials travel in files written over stdin (never on a
 * command line or in a log), and every step first looks for the file the tool leaves behind when
 * it has run (admin.conf, kubelet.conf, k3s.yaml), so a second `kubeadm init` never happens.
 */
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { etcdMembers } from './external-etcd';
import {
  clearEarlyJoin,
  etcdMemberWritten,
  finishControlPlaneJoin,
  joinStoppedHalfWay,
  undoHalfJoin,
  waitForEtcdMembers,
} from './stacked-join';
import { CONTROL_PLANE_WAIT_MINUTES, endpointOf, kubeadmInitConfig, kubeadmJoinConfig } from './kubeadm-config';
import { K3S_INSTALL_SCRIPT, OFFLINE_BUNDLE_ADVICE } from './pinned-scripts';
import { firstControlPlane } from './machines';
import { offlineImageFlags } from './offline-images';
import { removeVmFiles, writeVmFile } from './remote-file';
import { addressOf, done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';
import { apiServerSans } from './api-endpoint';

export const ADMIN_CONF = '/etc/kubernetes/admin.conf';
const KUBELET_CONF = '/etc/kubernetes/kubelet.conf';
const K3S_CONF = '/etc/rancher/k3s/k3s.yaml';
const K3S_AGENT_MARK = '/etc/rancher/node/password';
const K3S_TOKEN_FILE = '/etc/nestlab/k3s-token';
const JOIN_CONFIG = '/etc/nestlab/join.yaml';

/** Where the cluster's admin kubeconfig is on the first control plane. */
export function adminKubeconfigPath(plan: LabPlan): string {
  return plan.distribution === 'k3s' ? K3S_CONF : ADMIN_CONF;
}

/** kubectl as the cluster's admin, on the first control plane. */
export const adminKubectl = (...args: string[]) => ['kubectl', '--kubeconfig', ADMIN_CONF, ...args];

/** kubectl as a k3s cluster's admin, on a k3s server (k3s' own kubectl: its symlink may be missing). */
export const k3sKubectl = (...args: string[]) => ['k3s', 'kubectl', '--kubeconfig', K3S_CONF, ...args];

/** Parses `kubeadm token create --print-join-command`. */
export function parseJoinCommand(output: string): { token: string; caCertHash: string } {
  const token = /--token\s+(\S+)/.exec(output)?.[1];
  const caCertHash = /--discovery-token-ca-cert-hash\s+(\S+)/.exec(output)?.[1];
  if (token === undefined || caCertHash === undefined) {
    throw new AppError('PROGRAM_FAILED', 'kubeadm did not print a join command. Check the first control plane (kubeadm token list).');
  }
  return { token, caCertHash };
}

export async function fileExists(ctx: StepContext, machine: LabMachine, path: string): Promise<boolean> {
  return (await ctx.observeVm(machine, { argv: ['test', '-f', path] }, { root: true })).exitCode === 0;
}

/**
 * `kubeadm init` (or the first k3s server) on the first control plane, only if it has not run.
 * `bootTimeoutMs`: the driver's boot wait; when longer than kubeadm's control-plane wait (software
 * emulation), kubeadm waits that long for the static pods.
 */
export async function bootstrapFirst(ctx: StepContext, machine: LabMachine, bootTimeoutMs = 0): Promise<StepOutcome> {
  const { plan } = ctx;
  if (await fileExists(ctx, machine, adminKubeconfigPath(plan))) return skipped(`${machine.name} already runs the control plane.`);
  const address = addressOf(ctx, machine);
  if (plan.distribution === 'k3s') {
    await ctx.vm(
      machine,
      { argv: k3sInstall(plan, k3sFirstServerArgs(plan, machine, apiServerSans(plan, address, ctx.hostAddress))) },
      { root: true, timeoutMs: 900_000 },
    );
    return done();
  }
  const etcd = plan.etcd === 'external' ? etcdMembers(ctx).map((member) => member.address) : [];
  const waitMinutes = Math.max(CONTROL_PLANE_WAIT_MINUTES, Math.ceil(bootTimeoutMs / 60_000));
  const config = kubeadmInitConfig(plan, machine, address, etcd, ctx.hostAddress, waitMinutes);
  await writeVmFile(ctx, machine, '/etc/nestlab/kubeadm.yaml', config, { label: '<kubeadm.yaml>', mode: '0600' });
  const flags = await offlineImageFlags(ctx, machine, 'kubeadm init', ['--config', '/etc/nestlab/kubeadm.yaml']);
  // kubeadm's own wait, plus the steps before and after it.
  await ctx.vm(
    machine,
    { argv: ['kubeadm', 'init', '--config', '/etc/nestlab/kubeadm.yaml', '--upload-certs', ...flags] },
    { root: true, timeoutMs: (waitMinutes + 5) * 60_000 },
  );
  return done();
}

/**
 * Runs the install script (pinned to a commit, see pinned-scripts.ts) only once it is whole on
 * disk (a download piped into a root shell runs whatever part arrived), prints its SHA-256 so the
 * lab log records what ran as root, and refuses it when a pinned checksum is given and differs.
 * $1 = URL, $2 = the pinned SHA-256 or '', then the script's arguments.
 */
export const K3S_ONLINE_INSTALL =
  'set -e; script=$(mktemp); trap \'rm -f "$script"\' EXIT; ' +
  `curl -sfL --proto =https --retry 3 -o "$script" "$1" || { code=$?; echo "Could not download the k3s install script from $1. ${OFFLINE_BUNDLE_ADVICE}" >&2; exit $code; }; ` +
  'expected=$2; shift 2; sum=$(sha256sum "$script" | cut -d " " -f 1); echo "k3s install script sha256 $sum"; ' +
  `if [ -n "$expected" ] && [ "$sum" != "$expected" ]; then echo "The k3s install script from the pinned commit has SHA-256 $sum, not the pinned $expected: it was not run. ${OFFLINE_BUNDLE_ADVICE}" >&2; exit 1; fi; ` +
  'sh "$script" "$@"';

/** The arguments k3s runs with on `machine` (the install script keeps them in the k3s unit). */
function k3sArgs(plan: LabPlan, machine: LabMachine, mode: 'server' | 'agent', extra: string[], sans: readonly string[] = []): string[] {
  const args = [mode, '--node-name', machine.name, ...extra];
  if (mode === 'server') {
    for (const san of sans.length > 0 ? sans : [plan.apiEndpoint.host]) args.push('--tls-san', san);
    args.push('--write-kubeconfig-mode', '0600');
    args.push('--cluster-cidr', plan.network.podCidr, '--service-cidr', plan.network.serviceCidr);
    if (plan.cni === 'calico') args.push('--flannel-backend', 'none', '--disable-network-policy');
  }
  return args;
}

/**
 * The first k3s server's arguments. A `k3s server --cluster-reset` there runs with the same ones:
 * without them its agent would register a node under the host name and, on a Calico lab, start
 * Flannel (k3s#10041: flags must match between the reset and the service).
 */
export function k3sFirstServerArgs(plan: LabPlan, machine: LabMachine, sans: readonly string[]): string[] {
  return k3sArgs(plan, machine, 'server', plan.controlPlaneCount > 1 ? ['--cluster-init'] : [], sans);
}

/** The k3s install script with its arguments (from the offline bundle when there is one). */
function k3sInstall(plan: LabPlan, args: readonly string[]): string[] {
  const env = [`INSTALL_K3S_VERSION=v${plan.kubernetesVersion}+k3s1`];
  if (plan.offlineBundle !== undefined) {
    return ['env', ...env, 'INSTALL_K3S_SKIP_DOWNLOAD=true', 'sh', '/opt/nestlab/bundle/k3s-install.sh', ...args];
  }
  return ['env', ...env, 'sh', '-c', K3S_ONLINE_INSTALL, 'k3s-install', K3S_INSTALL_SCRIPT.url, K3S_INSTALL_SCRIPT.sha256 ?? '', ...args];
}

/** A fresh join token (and, for control planes, the uploaded certificate key) from the first control plane. */
export async function joinCredentials(
  ctx: StepContext,
  controlPlane: boolean,
): Promise<{ token: string; caCertHash: string; certificateKey?: string }> {
  const first = firstControlPlane(ctx.machines);
  const cacheKey = controlPlane ? 'join:control-plane' : 'join:worker';
  const cached = ctx.shared.get(cacheKey);
  if (cached !== undefined) return JSON.parse(cached) as { token: string; caCertHash: string; certificateKey?: string };
  if (ctx.dry)
    return { token: '<bootstrap token>', caCertHash: 'sha256:<CA hash>', ...(controlPlane ? { certificateKey: '<certificate key>' } : {}) };
  const printed = await ctx.vm(
    first,
    { argv: ['kubeadm', 'token', 'create', '--ttl', '2h', '--print-join-command'] },
    { root: true, secretOutput: true },
  );
  const join: { token: string; caCertHash: string; certificateKey?: string } = parseJoinCommand(printed.stdout);
  if (controlPlane) {
    const uploaded = await ctx.vm(
      first,
      { argv: ['kubeadm', 'init', 'phase', 'upload-certs', '--upload-certs'] },
      { root: true, secretOutput: true },
    );
    const key = uploaded.stdout.trim().split('\n').pop()?.trim();
    if (key === undefined || !/^[0-9a-f]{64}$/.test(key)) throw new AppError('PROGRAM_FAILED', 'kubeadm did not print a certificate key.');
    join.certificateKey = key;
  }
  ctx.shared.set(cacheKey, JSON.stringify(join));
  return join;
}

async function k3sToken(ctx: StepContext): Promise<string> {
  if (ctx.dry) return '<k3s token>';
  const cached = ctx.shared.get('k3s-token');
  if (cached !== undefined) return cached;
  const token = (
    await ctx.vm(
      firstControlPlane(ctx.machines),
      { argv: ['cat', '/var/lib/rancher/k3s/server/node-token'] },
      { root: true, secretOutput: true },
    )
  ).stdout.trim();
  ctx.shared.set('k3s-token', token);
  return token;
}

/** Runs `work`, then removes `paths` (the join secrets it used); a failure of `work` is what is reported. */
async function thenRemove(ctx: StepContext, machine: LabMachine, paths: readonly string[], work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    await removeVmFiles(ctx, machine, paths).catch(() => undefined);
    throw error;
  }
  await removeVmFiles(ctx, machine, paths);
}

/** Join a Linux control plane or worker, unless its kubelet already has a kubeconfig. */
export async function joinLinux(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
  const { plan } = ctx;
  const controlPlane = machine.role === 'control-plane';
  const mark = plan.distribution === 'k3s' ? (controlPlane ? K3S_CONF : K3S_AGENT_MARK) : KUBELET_CONF;
  if (await fileExists(ctx, machine, mark)) {
    if (!(await joinStoppedHalfWay(ctx, machine))) return skipped(`${machine.name} is already a member.`);
    await undoHalfJoin(ctx, machine);
  }
  // Join secrets are readable by root only. k3s reads its --token-file at every start of the
  // service (an agent authenticates with it each time), so that file stays, 0600 like k3s' own
  // token files; kubeadm's join configuration is read once and goes when the join is over (also
  // when it failed: a resume writes a fresh one).
  if (plan.distribution === 'k3s') {
    await writeVmFile(ctx, machine, K3S_TOKEN_FILE, await k3sToken(ctx), { label: '<k3s token>', mode: '0600' });
    const server = ['--server', `https://${endpointOf(plan)}`, '--token-file', K3S_TOKEN_FILE];
    await ctx.vm(
      machine,
      {
        argv: k3sInstall(
          plan,
          k3sArgs(
            plan,
            machine,
            controlPlane ? 'server' : 'agent',
            server,
            controlPlane ? apiServerSans(plan, addressOf(ctx, machine), ctx.hostAddress) : [],
          ),
        ),
      },
      { root: true, timeoutMs: 900_000 },
    );
    return done();
  }
  await clearEarlyJoin(ctx, machine);
  await waitForEtcdMembers(ctx, machine);
  const join = await joinCredentials(ctx, controlPlane);
  await writeVmFile(ctx, machine, JOIN_CONFIG, kubeadmJoinConfig(plan, machine, join, addressOf(ctx, machine)), {
    label: '<join.yaml>',
    mode: '0600',
  });
  // A control plane's join pulls the control-plane images in its preflight, as init does.
  const flags = controlPlane
    ? await offlineImageFlags(ctx, machine, 'kubeadm join', ['--kubernetes-version', `v${plan.kubernetesVersion}`])
    : [];
  let finished: string | undefined;
  await thenRemove(ctx, machine, [JOIN_CONFIG], async () => {
    try {
      await ctx.vm(machine, { argv: ['kubeadm', 'join', '--config', JOIN_CONFIG, ...flags] }, { root: true, timeoutMs: 900_000 });
    } catch (error) {
      if (!(await etcdMemberWritten(ctx, machine))) throw error;
      ctx.log(`kubeadm join failed on ${machine.name} after its etcd member started: running its last phases again.`);
      await finishControlPlaneJoin(ctx, machine, JOIN_CONFIG);
      finished = "kubeadm join's last phases ran again after its etcd member had started.";
    }
  });
  return done(finished);
}
