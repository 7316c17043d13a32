import type { LabSummary } from '../../../shared/contract';
import { OFFERED_KUBERNETES_VERSIONS } from '../../../shared/kubernetes-versions';

/** The offered versions of the next minor version (kubeadm upgrades one minor version at a time). */
export function upgradeTargets(lab: LabSummary): string[] {
  const [, minor = 0] = lab.plan.kubernetesVersion.split('.').map(Number);
  return OFFERED_KUBERNETES_VERSIONS.filter((version) => version.startsWith(`1.${minor + 1}.`));
}

/** Why the lab offers no upgrade now, or undefined when it does. */
export function upgradeBlockedReason(lab: LabSummary): string | undefined {
  if (lab.plan.distribution !== 'kubeadm') return 'Nestlab upgrades kubeadm labs.';
  if (lab.status === 'running') return 'An operation is running: wait for it or cancel it.';
  if (lab.status !== 'ready') return 'Resume the lab first: its last operation did not finish.';
  if (upgradeTargets(lab).length === 0) return `No version of the next minor release is offered after ${lab.plan.kubernetesVersion}.`;
  return undefined;
}
