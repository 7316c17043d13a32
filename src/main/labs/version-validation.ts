/**
 * The plan's Kubernetes version against the version table (src/shared/kubernetes-versions.ts):
 * a version Nestlab sets up, an install source the plan can use, Windows workers only where the
 * version runs them. Refused here, before anything runs, with the reason and the fix.
 */
import type { LabPlan, PlanProblem } from '../../shared/contract/labs';
import {
  lookUpKubernetesVersion,
  OLDEST_KUBERNETES_MINOR,
  PACKAGES_FROM_MINOR,
  WINDOWS_WORKERS_FROM_MINOR,
} from '../../shared/kubernetes-versions';

export function versionProblems(plan: LabPlan): PlanProblem[] {
  const lookup = lookUpKubernetesVersion(plan.kubernetesVersion);
  if (lookup.status === 'malformed') {
    return [
      {
        field: 'kubernetesVersion',
        message: `"${plan.kubernetesVersion}" is not a Kubernetes version.`,
        fix: 'Use major.minor.patch, e.g. 1.30.8.',
      },
    ];
  }
  if (lookup.status === 'too-old') {
    return [
      {
        field: 'kubernetesVersion',
        message: `Kubernetes ${lookup.minorVersion} is older than Nestlab sets up (1.${OLDEST_KUBERNETES_MINOR} and newer).`,
        fix: `Choose 1.${OLDEST_KUBERNETES_MINOR} or newer, e.g. 1.30.8.`,
      },
    ];
  }
  const { rules } = lookup;
  const problems: PlanProblem[] = [];
  if (plan.distribution === 'k3s') {
    if (!rules.k3s) {
      problems.push({
        field: 'kubernetesVersion',
        message: `k3s has no ${rules.minorVersion} release.`,
        fix: 'Choose another version, or kubeadm.',
      });
    }
    return problems;
  }
  const bundle = plan.offlineBundle !== undefined && plan.offlineBundle !== '';
  if (rules.installSource === 'bundle' && plan.driver === 'existing') {
    problems.push({
      field: 'kubernetesVersion',
      message: `Nestlab installs kubeadm on existing machines from the community package repository pkgs.k8s.io, which has 1.${PACKAGES_FROM_MINOR} and newer: Kubernetes ${rules.minorVersion} is not there.`,
      fix: `Choose 1.${PACKAGES_FROM_MINOR} or newer, or plan a libvirt or Hyper-V lab with an offline bundle of ${rules.minorVersion}.`,
    });
  } else if (rules.installSource === 'bundle' && !bundle) {
    problems.push({
      field: 'kubernetesVersion',
      message: `Kubernetes ${rules.minorVersion} is not in the community package repository pkgs.k8s.io (it has 1.${PACKAGES_FROM_MINOR} and newer), so its kubelet, kubeadm and kubectl can only come from an offline bundle.`,
      fix: `Give an offline bundle with the ${rules.minorVersion} packages (debs/: kubelet, kubeadm, kubectl; images/: the control-plane images), or choose 1.${PACKAGES_FROM_MINOR} or newer.`,
    });
  }
  if (plan.windowsWorkers > 0 && !rules.windowsWorkers) {
    problems.push({
      field: 'windowsWorkers',
      message: `Windows workers need Kubernetes 1.${WINDOWS_WORKERS_FROM_MINOR} or newer (their flannel and kube-proxy run as HostProcess containers, on by default from 1.${WINDOWS_WORKERS_FROM_MINOR}); this plan has ${rules.minorVersion}.`,
      fix: `Choose 1.${WINDOWS_WORKERS_FROM_MINOR} or newer, or set Windows workers to 0.`,
    });
  }
  return problems;
}
