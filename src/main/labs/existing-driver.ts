/**
 * The "existing machines" driver (k3sup-style): the machines already run and are hosts of the
 * inventory, each reached over its own SSH connection (the engine routes a machine's commands to
 * it, see EngineEnvironment.machineAccess). Nothing is created or deleted: "create" checks the
 * machine answers, "delete" resets Kubernetes on it (kubeadm reset / the k3s uninstall script)
 * and the machine stays.
 */
import type { HostSummary } from '../../shared/contract/hosts';
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import type { HostInvocation, LabDriver } from './lab-driver';
import { done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';

const K3S_SERVER_UNINSTALL = '/usr/local/bin/k3s-uninstall.sh';
const K3S_AGENT_UNINSTALL = '/usr/local/bin/k3s-agent-uninstall.sh';

/** Observes whether kubeadm left its node files on a Windows machine. */
export const WINDOWS_RESET_PROBE = [
  '# nestlab:observe-windows-reset',
  "if (Test-Path 'C:\\etc\\kubernetes\\kubelet.conf') { 'joined' } else { 'absent' }",
  '',
].join('\n');

export const WINDOWS_RESET_SCRIPT = [
  '# nestlab:reset-windows',
  "$ErrorActionPreference = 'Stop'",
  '& kubeadm.exe reset -f',
  'if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }',
  '',
].join('\n');

/** The inventory host of an existing machine (every machine of an 'existing' lab has one). */
export function hostIdOf(machine: LabMachine): string {
  if (machine.hostId === undefined) throw new AppError('INTERNAL', `${machine.name} is not bound to an inventory host.`);
  return machine.hostId;
}

export class ExistingMachinesDriver implements LabDriver {
  /** `hosts`: the inventory hosts of the plan's machines, by id (unknown ids are missing). */
  constructor(
    private readonly plan: LabPlan,
    private readonly hosts: ReadonlyMap<string, HostSummary>,
  ) {}

  prepare(): Promise<StepOutcome> {
    return Promise.resolve(skipped('Existing machines: no lab folder or key is needed; each machine uses its own SSH credentials.'));
  }

  ensureNetwork(): Promise<StepOutcome> {
    return Promise.resolve(skipped('Existing machines keep their own network.'));
  }

  uploadBundle(): Promise<StepOutcome> {
    return Promise.reject(
      new AppError('INVALID_ARGUMENT', 'Offline bundles are not uploaded to existing machines.', {
        fix: 'Install the packages on the machines, or remove the offline bundle from the plan.',
      }),
    );
  }

  /** Nothing is created: the machine must answer over SSH. Its address is the host's. */
  async ensureVm(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
    const host = this.hostOf(machine);
    machine.address = host?.address ?? `<address of ${machine.name}>`;
    if (host === undefined && !ctx.dry) {
      throw new AppError('NOT_FOUND', `The host of ${machine.name} (${hostIdOf(machine)}) is no longer in the inventory.`, {
        fix: 'Add it again in the Hosts view, then resume.',
      });
    }
    const probe =
      machine.os === 'windows'
        ? await ctx.observeVm(machine, { powershell: '# nestlab:ping\n[Environment]::OSVersion.VersionString\n' })
        : await ctx.observeVm(machine, { argv: ['uname', '-sr'] });
    if (ctx.dry) return done();
    if (probe.exitCode !== 0) {
      throw new AppError('PROGRAM_FAILED', `${host?.name ?? machine.name} did not answer over SSH: ${probe.stderr.trim()}`, {
        fix: 'Check the host in the Hosts view (connection, host key, sudo), then resume.',
      });
    }
    if (machine.state === 'absent') machine.state = 'created';
    return skipped(`${host?.name ?? machine.name} already runs (${probe.stdout.trim()}); nothing is created.`);
  }

  address(_ctx: StepContext, machine: LabMachine): Promise<string | undefined> {
    return Promise.resolve(this.hostOf(machine)?.address ?? machine.address);
  }

  copyBundleToVm(): Promise<void> {
    return this.uploadBundle().then(() => undefined);
  }

  /** Never used: the engine runs an existing machine's commands over its own connection. */
  vmInvocation(): HostInvocation {
    throw new AppError('INTERNAL', 'Existing machines are reached over their own SSH connection, not through a lab host.');
  }

  /** Resets Kubernetes on the machine; the machine itself stays. */
  async deleteVm(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
    const host = this.hostOf(machine);
    if (host !== undefined) machine.address = host.address;
    else if (ctx.dry) machine.address = `<address of ${machine.name}>`;
    else return skipped(`The host of ${machine.name} is no longer in the inventory; nothing to reset.`);
    if (machine.os === 'windows') {
      const probe = await ctx.observeVm(machine, { powershell: WINDOWS_RESET_PROBE });
      if (probe.exitCode === 0 && probe.stdout.trim() === 'absent') return skipped(`${host?.name ?? machine.name} runs no kubelet.`);
      await ctx.vm(machine, { powershell: WINDOWS_RESET_SCRIPT }, { timeoutMs: 300_000 });
      return done(`Reset ${host?.name ?? machine.name}; the machine stays.`);
    }
    if (this.plan.distribution === 'k3s') {
      const script = machine.role === 'control-plane' ? K3S_SERVER_UNINSTALL : K3S_AGENT_UNINSTALL;
      if ((await ctx.observeVm(machine, { argv: ['test', '-x', script] }, { root: true })).exitCode !== 0 && !ctx.dry) {
        return skipped(`k3s is not installed on ${host?.name ?? machine.name}.`);
      }
      await ctx.vm(machine, { argv: [script] }, { root: true, timeoutMs: 300_000 });
      return done(`Uninstalled k3s from ${host?.name ?? machine.name}; the machine stays.`);
    }
    const joined = await ctx.observeVm(machine, { argv: ['test', '-f', '/etc/kubernetes/kubelet.conf'] }, { root: true });
    if (joined.exitCode !== 0 && !ctx.dry) return skipped(`${host?.name ?? machine.name} runs no kubelet.`);
    await ctx.vm(machine, { argv: ['kubeadm', 'reset', '-f'] }, { root: true, timeoutMs: 300_000 });
    return done(`Reset ${host?.name ?? machine.name} (kubeadm reset); the machine stays.`);
  }

  cleanup(): Promise<StepOutcome> {
    return Promise.resolve(skipped('Existing machines leave nothing on a lab host.'));
  }

  private hostOf(machine: LabMachine): HostSummary | undefined {
    return this.hosts.get(hostIdOf(machine));
  }
}
