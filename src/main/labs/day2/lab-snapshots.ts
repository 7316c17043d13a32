/**
 * Lab snapshots: every VM of a lab snapshotted under one name, at one moment. The cluster is
 * quiesced by pausing every running VM first (etcd, the API servers and the workloads stop
 * together, mid-flight writes included), so the snapshots, which keep each VM's memory, agree with
 * each other; the VMs are resumed whatever happens. A revert puts every VM back (paused, as the
 * snapshot was taken), then resumes them together and waits for the nodes.
 *
 * libvirt: `virsh suspend`, `snapshot-create-as --atomic` (an internal snapshot in the qcow2
 * disks, with the paused guest's memory), `snapshot-list --name`, `snapshot-revert`,
 * `snapshot-delete`, `resume`. Hyper-V: Suspend-VM, standard checkpoints (Checkpoint-VM, with the
 * memory; a production checkpoint would need the guest's VSS), Get-VMSnapshot,
 * Restore-VMSnapshot, Remove-VMSnapshot, then Start-VM of the saved VMs.
 */
import type { LabMachine, LabOperationKind, LabPlan } from '../../../shared/contract/labs';
import type { LabSnapshot, LabSnapshotList } from '../../../shared/contract/lab-snapshots';
import { AppError } from '../../../shared/errors';
import { requireSuccess } from '../../hosts/remote-command';
import type { ExecOptions, ExecResult } from '../../hosts/ssh-connection';
import { virsh } from '../libvirt-driver';
import { done, skipped } from '../step-context';
import type { StepContext, StepOutcome } from '../step-context';
import type { ClusterSteps, StepDefinition } from '../step-planner';
import { hypervSnapshotScript, parseHypervSnapshots } from './hyperv-snapshots';

export type LabSnapshotOperation = 'lab-snapshot' | 'lab-revert';

export const isLabSnapshotOperation = (kind: LabOperationKind): kind is LabSnapshotOperation =>
  kind === 'lab-snapshot' || kind === 'lab-revert';

/** `nestlab-YYYYMMDD-HHMMSS` in UTC. */
export function labSnapshotName(at: Date): string {
  const iso = at.toISOString();
  return `nestlab-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

function takenAtOf(name: string): string {
  const match = /^nestlab-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(name);
  return match === null ? '' : `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}.000Z`;
}

/** Why a lab cannot have lab snapshots, or undefined when it can. */
export function labSnapshotProblem(plan: LabPlan): string | undefined {
  return plan.driver === 'existing'
    ? 'Lab snapshots are snapshots of VMs: the machines of this lab are not VMs Nestlab runs. Use an etcd snapshot for the cluster state.'
    : undefined;
}

/** What listing and deleting run on the lab host (the labs service's host access). */
export interface SnapshotHost {
  run(argv: readonly string[], options: ExecOptions & { root: boolean }): Promise<ExecResult>;
  runPowerShell(script: string, options?: ExecOptions): Promise<ExecResult>;
}

/** The lab's machines that are VMs (created or joined). */
function vmsOf(machines: readonly LabMachine[]): LabMachine[] {
  return machines.filter((machine) => machine.state !== 'absent');
}

/** Snapshot names by VM: `virsh snapshot-list --name` of each, or one Get-VMSnapshot. A VM the hypervisor does not know has none. */
async function snapshotsByVm(plan: LabPlan, vms: readonly LabMachine[], host: SnapshotHost): Promise<Map<string, string[]>> {
  const byVm = new Map<string, string[]>(vms.map((vm) => [vm.name, []]));
  if (plan.driver === 'hyperv') {
    const result = requireSuccess(await host.runPowerShell(hypervSnapshotScript('list', vms, '')), 'Get-VMSnapshot');
    for (const { vm, name } of parseHypervSnapshots(result.stdout)) byVm.get(vm)?.push(name);
    return byVm;
  }
  for (const vm of vms) {
    const result = await host.run(virsh('snapshot-list', vm.name, '--name'), { root: true });
    if (result.exitCode !== 0) {
      if (/Domain not found/.test(result.stderr)) continue;
      requireSuccess(result, `virsh snapshot-list ${vm.name}`);
    }
    byVm.set(vm.name, linesOf(result.stdout));
  }
  return byVm;
}

const linesOf = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** The lab snapshots on the VMs, oldest first; only names Nestlab gives count. */
export async function listLabSnapshots(plan: LabPlan, machines: readonly LabMachine[], host: SnapshotHost): Promise<LabSnapshotList> {
  const problem = labSnapshotProblem(plan);
  if (problem !== undefined) return { supported: false, reason: problem, snapshots: [] };
  const vms = vmsOf(machines);
  const byVm = await snapshotsByVm(plan, vms, host);
  const byName = new Map<string, string[]>();
  for (const [vm, names] of byVm) {
    for (const name of names.filter((candidate) => takenAtOf(candidate) !== '')) byName.set(name, [...(byName.get(name) ?? []), vm]);
  }
  const snapshots: LabSnapshot[] = [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, have]) => ({ name, takenAt: takenAtOf(name), machines: have, complete: vms.length > 0 && have.length === vms.length }));
  return { supported: true, snapshots };
}

/** Refuses a revert to a snapshot the lab does not have on every VM, naming the VMs without it. */
export function checkRevert(list: LabSnapshotList, lab: string, snapshot: string, machines: readonly LabMachine[]): void {
  const found = list.snapshots.find((candidate) => candidate.name === snapshot);
  if (found === undefined) {
    throw new AppError('NOT_FOUND', `Lab "${lab}" has no snapshot ${snapshot}.`, { fix: 'Pick a snapshot from the list.' });
  }
  if (!found.complete) {
    const missing = vmsOf(machines)
      .map((vm) => vm.name)
      .filter((vm) => !found.machines.includes(vm));
    throw new AppError(
      'INVALID_ARGUMENT',
      `Snapshot ${snapshot} is not on every VM of lab "${lab}" (missing on ${missing.join(', ')}), so reverting to it would mix two moments.`,
      { fix: 'Delete it, and pick a complete snapshot.', missing },
    );
  }
}

/** Delete the snapshot from every VM that has it. */
export async function deleteLabSnapshot(
  plan: LabPlan,
  machines: readonly LabMachine[],
  host: SnapshotHost,
  snapshot: string,
): Promise<void> {
  const vms = vmsOf(machines);
  if (plan.driver === 'hyperv') {
    requireSuccess(await host.runPowerShell(hypervSnapshotScript('delete', vms, snapshot)), `Remove-VMSnapshot ${snapshot}`);
    return;
  }
  for (const [vm, names] of await snapshotsByVm(plan, vms, host)) {
    if (names.includes(snapshot))
      requireSuccess(await host.run(virsh('snapshot-delete', vm, snapshot), { root: true }), `virsh snapshot-delete ${vm}`);
  }
}

/** A domain's state as virsh domstate prints it ("running", "paused", "shut off"), or undefined when there is none. */
async function domstate(ctx: StepContext, vm: string): Promise<string | undefined> {
  const result = await ctx.observeHost(virsh('domstate', vm), { root: true });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** Resume every domain of `vms` that is paused; each is tried, the first failure is thrown after. */
async function resumePaused(ctx: StepContext, vms: readonly string[]): Promise<void> {
  let failure: AppError | undefined;
  for (const vm of vms) {
    try {
      if ((await domstate(ctx, vm)) === 'paused' || ctx.dry) await ctx.host(virsh('resume', vm), { root: true });
    } catch (error) {
      failure ??= AppError.from(error);
    }
  }
  if (failure !== undefined) throw failure;
}

/** libvirt: pause the running VMs, snapshot the ones that do not have it yet, resume the paused ones (always). */
async function snapshotLibvirt(ctx: StepContext, vms: readonly LabMachine[], snapshot: string): Promise<StepOutcome> {
  const paused: string[] = [];
  const missing: string[] = [];
  for (const vm of vms) {
    const snapshots = await ctx.observeHost(virsh('snapshot-list', vm.name, '--name'), { root: true });
    if (!linesOf(snapshots.stdout).includes(snapshot)) missing.push(vm.name);
  }
  if (missing.length === 0) return skipped(`Every VM has snapshot ${snapshot}.`);
  try {
    for (const vm of vms) {
      if ((await domstate(ctx, vm.name)) !== 'running' && !ctx.dry) continue;
      await ctx.host(virsh('suspend', vm.name), { root: true });
      paused.push(vm.name);
    }
    ctx.log(`Paused ${paused.length} VM(s): the cluster stands still while each VM is snapshotted.`);
    for (const [index, vm] of missing.entries()) {
      ctx.progress(index / missing.length, `Snapshot of ${vm}`);
      await ctx.host(virsh('snapshot-create-as', vm, snapshot, `Nestlab lab snapshot of ${ctx.plan.name}`, '--atomic'), {
        root: true,
        timeoutMs: 600_000,
      });
    }
    return done(`${missing.length} VM(s) snapshotted as ${snapshot}.`);
  } finally {
    await resumePaused(ctx, paused);
  }
}

/** libvirt: revert each VM (it comes back paused, as the snapshot was taken), then resume them together. */
async function revertLibvirt(ctx: StepContext, vms: readonly LabMachine[], snapshot: string): Promise<StepOutcome> {
  for (const [index, vm] of vms.entries()) {
    ctx.progress(index / vms.length, `Revert ${vm.name}`);
    await ctx.host(virsh('snapshot-revert', vm.name, snapshot), { root: true, timeoutMs: 600_000 });
  }
  await resumePaused(
    ctx,
    vms.map((vm) => vm.name),
  );
  return done(`${vms.length} VM(s) back at ${snapshot} and running.`);
}

/** Hyper-V: one script per operation (pause, checkpoint, resume in a finally; or restore and start). */
async function onHyperV(ctx: StepContext, kind: 'create' | 'revert', vms: readonly LabMachine[], snapshot: string): Promise<StepOutcome> {
  const result = await ctx.hostPowerShell(hypervSnapshotScript(kind, vms, snapshot), { timeoutMs: 900_000 });
  return done(result.stdout.trim() || undefined);
}

/** The steps of 'lab-snapshot' (one step) and 'lab-revert' (the revert, then the nodes Ready again). */
export function labSnapshotSteps(
  kind: LabSnapshotOperation,
  plan: LabPlan,
  machines: readonly LabMachine[],
  snapshot: string,
  cluster: Pick<ClusterSteps, 'waitReady'>,
): StepDefinition[] {
  const vms = vmsOf(machines);
  if (kind === 'lab-snapshot') {
    return [
      {
        id: 'lab-snapshot',
        phase: 'snapshot',
        title: `Pause the VMs, snapshot each as ${snapshot}, resume them`,
        estimateMs: 15_000 * Math.max(1, vms.length),
        run: (ctx) => (plan.driver === 'hyperv' ? onHyperV(ctx, 'create', vms, snapshot) : snapshotLibvirt(ctx, vms, snapshot)),
      },
    ];
  }
  const nodes = vms.filter((vm) => vm.role !== 'etcd' && vm.state === 'joined');
  return [
    {
      id: 'lab-revert',
      phase: 'snapshot',
      title: `Revert every VM to ${snapshot} and resume them`,
      estimateMs: 15_000 * Math.max(1, vms.length),
      run: (ctx) => (plan.driver === 'hyperv' ? onHyperV(ctx, 'revert', vms, snapshot) : revertLibvirt(ctx, vms, snapshot)),
    },
    {
      id: 'nodes-ready',
      phase: 'nodes',
      title: 'Wait for every node to be Ready',
      estimateMs: 60_000,
      run: (ctx) => cluster.waitReady(ctx, nodes),
    },
  ];
}
