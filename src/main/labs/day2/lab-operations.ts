/**
 * The day-2 operations on a whole lab that labs-service runs through one branch: lab snapshots
 * (lab-snapshots.ts) and the kubeadm upgrade (upgrade.ts).
 */
import type { LabMachine, LabOperationKind, LabPlan } from '../../../shared/contract/labs';
import type { ClusterSteps, StepDefinition } from '../step-planner';
import { isLabSnapshotOperation, labSnapshotSteps } from './lab-snapshots';
import { upgradeSteps } from './upgrade';

export type LabOperation = 'lab-snapshot' | 'lab-revert' | 'upgrade';

export const isLabOperation = (kind: LabOperationKind): kind is LabOperation => isLabSnapshotOperation(kind) || kind === 'upgrade';

/** The steps of a lab operation; `snapshot`: the lab snapshot a snapshot or revert is about. */
export function labOperationSteps(
  kind: LabOperation,
  plan: LabPlan,
  machines: readonly LabMachine[],
  snapshot: string | undefined,
  cluster: ClusterSteps,
): StepDefinition[] {
  return kind === 'upgrade' ? upgradeSteps(plan, machines, cluster) : labSnapshotSteps(kind, plan, machines, snapshot ?? '', cluster);
}
