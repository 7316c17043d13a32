/**
 * The labs service's side of etcd snapshots: the list (read from the host), the checks before an
 * operation starts, and the step definitions of the 'etcd-snapshot' and 'etcd-restore' operations.
 */
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EtcdSnapshotList, LabMachine, LabOperationKind, LabPlan } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import { writeFileAtomic } from '../../platform/atomic-file';
import type { ExecOptions, ExecResult } from '../../hosts/ssh-connection';
import type { LabDriver } from '../lab-driver';
import type { StepDefinition } from '../step-planner';
import { LIST_SCRIPT, parseShelf, shelfDir } from './etcd-shelf';
import { k3sRestoreSteps } from './etcd-restore-k3s';
import { etcdRestoreSteps, etcdSaveSteps, etcdSnapshotSupport } from './etcd-snapshots';
import type { EtcdOperationRequest } from './etcd-snapshots';

export type { EtcdOperationRequest } from './etcd-snapshots';

export const isEtcdOperation = (kind: LabOperationKind): kind is 'etcd-snapshot' | 'etcd-restore' =>
  kind === 'etcd-snapshot' || kind === 'etcd-restore';

/** This computer's folder for copies of a lab's snapshots (0700 under Nestlab's data folder). */
export function localSnapshotDir(dataDir: string, lab: string): string {
  return join(dataDir, 'etcd-snapshots', lab);
}

/** The snapshots on the lab host, or why the lab has none. */
export async function listEtcdSnapshots(
  plan: LabPlan,
  run: (argv: readonly string[], options?: ExecOptions) => Promise<ExecResult>,
): Promise<EtcdSnapshotList> {
  const support = etcdSnapshotSupport(plan);
  if (!support.supported) return { supported: false, reason: support.reason, snapshots: [] };
  const dir = shelfDir(plan);
  const result = await run(['sh', '-c', LIST_SCRIPT, 'nestlab-list', dir]);
  if (result.exitCode !== 0) {
    throw new AppError('PROGRAM_FAILED', `The snapshots of ${plan.name} could not be listed on the host: ${result.stderr.trim()}`);
  }
  return { supported: true, snapshots: parseShelf(result.stdout), location: `~/${dir}` };
}

/** Refuses an etcd operation a lab cannot run, with the reason and the fix. */
export function checkEtcdOperation(plan: LabPlan): void {
  const support = etcdSnapshotSupport(plan);
  if (!support.supported) throw new AppError('INVALID_ARGUMENT', support.reason, { lab: plan.name });
}

/** The steps of an etcd operation. */
export function etcdOperationSteps(
  kind: 'etcd-snapshot' | 'etcd-restore',
  plan: LabPlan,
  machines: readonly LabMachine[],
  request: EtcdOperationRequest,
  driver: LabDriver,
  dataDir: string,
): StepDefinition[] {
  const localDir = localSnapshotDir(dataDir, plan.name);
  const env = {
    driver,
    localDir,
    saveLocalCopy: async (name: string, content: Buffer) => {
      await mkdir(localDir, { recursive: true, mode: 0o700 });
      await chmod(localDir, 0o700);
      const path = join(localDir, `${name}.db`);
      await writeFileAtomic(path, content, { mode: 0o600 });
      return path;
    },
  };
  if (kind === 'etcd-snapshot') return etcdSaveSteps(plan, machines, request, env);
  return plan.distribution === 'k3s' ? k3sRestoreSteps(plan, machines, request, env) : etcdRestoreSteps(plan, machines, request, env);
}
