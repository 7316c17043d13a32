/**
 * Upgrade a kubeadm lab one minor version, as the upstream "Upgrading kubeadm clusters" guide does
 * it: on the first control plane the new kubeadm, `kubeadm upgrade plan` and `kubeadm upgrade
 * apply`; then node by node (control planes first, then workers) `kubeadm upgrade node`, cordon
 * and drain (day2/drain.ts, PodDisruptionBudgets honoured), the new kubelet and kubectl, a kubelet
 * restart, Ready again, uncordon. Every part observes first (the kubeadm and kubelet versions, the
 * API server's image, a marker of a node the upgrade cordoned), so a resume after a failure, a
 * cancel or a restart continues where it stopped and never leaves a node cordoned by the upgrade.
 */
import type { LabMachine, LabPlan } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import { kubernetesPackageRepository, lookUpKubernetesVersion } from '../../../shared/kubernetes-versions';
import { firstControlPlane } from '../machines';
import { writeVmFile } from '../remote-file';
import { done, skipped } from '../step-context';
import type { StepContext, StepOutcome } from '../step-context';
import type { ClusterSteps, StepDefinition } from '../step-planner';

/** On a node while the upgrade holds it cordoned: a resume uncordons a node whose kubelet is already new. */
export const UPGRADE_MARKER = '/var/lib/nestlab/upgrade-cordoned';
const KEYRING = '/etc/apt/keyrings/kubernetes-apt-keyring.gpg';
const APT_SOURCE = '/etc/apt/sources.list.d/kubernetes.list';

/** Why the lab cannot be upgraded to `target`, or undefined when it can. */
export function upgradeProblem(plan: LabPlan, target: string): string | undefined {
  if (plan.distribution !== 'kubeadm') {
    return 'Nestlab upgrades kubeadm labs. A k3s lab upgrades by running the k3s install script with the new INSTALL_K3S_VERSION on each server, then on each agent.';
  }
  const lookup = lookUpKubernetesVersion(target);
  if (lookup.status !== 'ok') return `${target} is not a Kubernetes version Nestlab sets up (x.y.z, 1.${19} or newer).`;
  const [, minor = 0] = plan.kubernetesVersion.split('.').map(Number);
  const next = `1.${minor + 1}`;
  if (lookup.rules.minorVersion !== next) {
    return `kubeadm upgrades one minor version at a time: from ${plan.kubernetesVersion} the next is ${next}.x, not ${target}.`;
  }
  if (plan.offlineBundle !== undefined || lookup.rules.installSource !== 'packages') {
    return `This lab installs from an offline bundle: upgrading it needs a bundle of ${target}, which Nestlab does not take yet. Upgrade a lab that installs from pkgs.k8s.io (1.24 or newer).`;
  }
  if (plan.windowsWorkers > 0) {
    return 'The lab has Windows workers, which upgrade with their own script (not done by Nestlab yet): scale them to 0 first.';
  }
  return undefined;
}

/** Throws INVALID_ARGUMENT with the reason when the lab cannot be upgraded to `target`. */
export function checkUpgrade(plan: LabPlan, target: string): void {
  const problem = upgradeProblem(plan, target);
  if (problem !== undefined) throw new AppError('INVALID_ARGUMENT', problem, { field: 'kubernetesVersion' });
}

/** The apt source of the target's minor version (pkgs.k8s.io signs every minor version with the key installed with the lab). */
export function kubernetesAptSource(target: string): string {
  return `deb [signed-by=${KEYRING}] ${kubernetesPackageRepository(target)} /\n`;
}

/** The version a program on the machine reports (`kubeadm version -o short`, `kubelet --version`), or undefined. */
async function programVersion(ctx: StepContext, machine: LabMachine, argv: string[]): Promise<string | undefined> {
  const result = await ctx.observeVm(machine, { argv });
  return result.exitCode === 0 ? /v(\d+\.\d+\.\d+)/.exec(result.stdout)?.[1] : undefined;
}

/**
 * `packages` at exactly the target version, as the upstream guide does it: the apt source switched
 * to the target's minor version (written whole), apt-mark unhold, install x.y.z-*, hold again.
 * Argument lists only, so every path is an argument and nothing runs through a shell.
 */
async function installPackages(ctx: StepContext, machine: LabMachine, packages: string[]): Promise<void> {
  const target = ctx.plan.kubernetesVersion;
  const source = kubernetesAptSource(target);
  if ((await ctx.observeVm(machine, { argv: ['cat', APT_SOURCE] }, { root: true })).stdout !== source) {
    await writeVmFile(ctx, machine, APT_SOURCE, source, { label: '<kubernetes.list>', mode: '0644' });
  }
  await ctx.vm(machine, { argv: ['apt-mark', 'unhold', ...packages] }, { root: true });
  await ctx.vm(machine, { argv: ['apt-get', 'update'] }, { root: true, timeoutMs: 300_000 });
  await ctx.vm(
    machine,
    { argv: ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', ...packages.map((name) => `${name}=${target}-*`)] },
    { root: true, timeoutMs: 900_000 },
  );
  await ctx.vm(machine, { argv: ['apt-mark', 'hold', ...packages] }, { root: true });
}

/** kubeadm of the target version on the machine, unless it is there. */
async function ensureKubeadm(ctx: StepContext, machine: LabMachine): Promise<void> {
  if ((await programVersion(ctx, machine, ['kubeadm', 'version', '-o', 'short'])) === ctx.plan.kubernetesVersion) return;
  await installPackages(ctx, machine, ['kubeadm']);
}

/** The first control plane: the new kubeadm, its plan (logged), then apply, unless the API server already runs the target. */
async function upgradeFirstControlPlane(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
  const target = ctx.plan.kubernetesVersion;
  const manifest = await ctx.observeVm(machine, { argv: ['cat', '/etc/kubernetes/manifests/kube-apiserver.yaml'] }, { root: true });
  if (manifest.exitCode === 0 && manifest.stdout.includes(`kube-apiserver:v${target}`)) {
    return skipped(`The control plane already runs ${target}.`);
  }
  await ensureKubeadm(ctx, machine);
  ctx.progress(0.2, 'kubeadm upgrade plan');
  await ctx.vm(machine, { argv: ['kubeadm', 'upgrade', 'plan', `v${target}`] }, { root: true, timeoutMs: 300_000 });
  ctx.progress(0.4, `kubeadm upgrade apply v${target}`);
  await ctx.vm(machine, { argv: ['kubeadm', 'upgrade', 'apply', '-y', `v${target}`] }, { root: true, timeoutMs: 1_200_000 });
  return done(`The control plane runs ${target}.`);
}

/** One node: kubeadm upgrade node (not the first control plane), cordon, drain, kubelet and kubectl, restart, Ready, uncordon. */
async function upgradeNode(ctx: StepContext, machine: LabMachine, first: boolean, cluster: NodeSteps): Promise<'upgraded' | 'skipped'> {
  const target = ctx.plan.kubernetesVersion;
  const kubelet = await programVersion(ctx, machine, ['kubelet', '--version']);
  const marked = (await ctx.observeVm(machine, { argv: ['test', '-e', UPGRADE_MARKER] }, { root: true })).exitCode === 0;
  if (kubelet === target && !ctx.dry) {
    if (marked) {
      await cluster.uncordon(ctx, machine);
      await ctx.vm(machine, { argv: ['rm', '-f', UPGRADE_MARKER] }, { root: true });
    }
    return 'skipped';
  }
  if (!first) {
    await ensureKubeadm(ctx, machine);
    await ctx.vm(machine, { argv: ['kubeadm', 'upgrade', 'node'] }, { root: true, timeoutMs: 900_000 });
  }
  // The marker first: a resume after the cordon knows the upgrade, not the user, cordoned the node.
  await ctx.vm(machine, { argv: ['mkdir', '-p', UPGRADE_MARKER.slice(0, UPGRADE_MARKER.lastIndexOf('/'))] }, { root: true });
  await ctx.vm(machine, { argv: ['touch', UPGRADE_MARKER] }, { root: true });
  await cluster.cordon(ctx, machine);
  await cluster.drain(ctx, machine);
  await installPackages(ctx, machine, ['kubelet', 'kubectl']);
  await ctx.vm(machine, { argv: ['systemctl', 'daemon-reload'] }, { root: true });
  await ctx.vm(machine, { argv: ['systemctl', 'restart', 'kubelet'] }, { root: true });
  await cluster.waitReady(ctx, [machine]);
  await cluster.uncordon(ctx, machine);
  await ctx.vm(machine, { argv: ['rm', '-f', UPGRADE_MARKER] }, { root: true });
  return 'upgraded';
}

type NodeSteps = Pick<ClusterSteps, 'cordon' | 'drain' | 'uncordon' | 'waitReady'>;

/** The nodes in upgrade order: the first control plane, the other control planes, then the Linux workers. */
export function upgradeOrder(plan: LabPlan, machines: readonly LabMachine[]): LabMachine[] {
  const first = firstControlPlane(machines);
  const nodes = machines.filter((machine) => machine.role !== 'etcd' && machine.os === 'linux' && machine.name !== first.name);
  return [
    first,
    ...nodes.filter((machine) => machine.role === 'control-plane'),
    ...nodes.filter((machine) => machine.role !== 'control-plane'),
  ];
}

/** The steps of the 'upgrade' operation (the plan's kubernetesVersion is the target). */
export function upgradeSteps(plan: LabPlan, machines: readonly LabMachine[], cluster: NodeSteps): StepDefinition[] {
  const order = upgradeOrder(plan, machines);
  const first = order[0]!;
  const target = plan.kubernetesVersion;
  return [
    {
      id: 'upgrade-control-plane',
      phase: 'upgrade',
      title: `Upgrade the control plane to ${target} (kubeadm upgrade plan and apply on ${first.name})`,
      vm: first.name,
      estimateMs: 300_000,
      run: (ctx) => upgradeFirstControlPlane(ctx, first),
    },
    {
      id: 'upgrade-nodes',
      phase: 'upgrade-nodes',
      title: `Upgrade each node in turn: drain, kubelet ${target}, Ready, uncordon (${order.map((machine) => machine.name).join(', ')})`,
      estimateMs: 180_000 * order.length,
      run: async (ctx) => {
        let upgraded = 0;
        for (const [index, machine] of order.entries()) {
          ctx.progress(index / order.length, `${machine.name} (${index + 1} of ${order.length})`);
          if ((await upgradeNode(ctx, machine, index === 0, cluster)) === 'upgraded') upgraded += 1;
          else ctx.log(`${machine.name} already runs kubelet ${target}.`);
        }
        return upgraded === 0 ? skipped(`Every node runs kubelet ${target}.`) : done(`${upgraded} node(s) upgraded to ${target}.`);
      },
    },
    {
      id: 'ready',
      phase: 'nodes',
      title: 'Wait for every node to be Ready',
      estimateMs: 60_000,
      run: (ctx) => cluster.waitReady(ctx, order),
    },
  ];
}
