import { describe, expect, it } from 'vitest';
import { validatePlan } from './plan-validation';
import { testPlan } from './test-plans';

const linuxOnly = { windowsWorkers: 0 };

describe('the plan’s Kubernetes version (version table)', () => {
  it('refuses kubeadm 1.20 without an offline bundle, before anything runs, naming pkgs.k8s.io and the fix', () => {
    expect(validatePlan(testPlan({ ...linuxOnly, kubernetesVersion: '1.20.2' }), 'linux')).toEqual([
      {
        field: 'kubernetesVersion',
        message:
          'Kubernetes 1.20 is not in the community package repository pkgs.k8s.io (it has 1.24 and newer), so its kubelet, kubeadm and kubectl can only come from an offline bundle.',
        fix: 'Give an offline bundle with the 1.20 packages (debs/: kubelet, kubeadm, kubectl; images/: the control-plane images), or choose 1.24 or newer.',
      },
    ]);
  });

  it('accepts 1.19 and 1.20 with an offline bundle, k3s of those versions, and 1.24+ without a bundle', () => {
    for (const kubernetesVersion of ['1.19.16', '1.20.2']) {
      expect(validatePlan(testPlan({ ...linuxOnly, kubernetesVersion, offlineBundle: '/srv/bundle-1.20' }), 'linux')).toEqual([]);
      expect(validatePlan(testPlan({ ...linuxOnly, kubernetesVersion, distribution: 'k3s' }), 'linux')).toEqual([]);
    }
    for (const kubernetesVersion of ['1.24.0', '1.31.4']) expect(validatePlan(testPlan({ kubernetesVersion }), 'linux')).toEqual([]);
  });

  it('refuses 1.20 on existing machines (they install from pkgs.k8s.io and take no bundle)', () => {
    const plan = testPlan({
      ...linuxOnly,
      driver: 'existing',
      kubernetesVersion: '1.20.2',
      linuxWorkers: 0,
      existingMachines: [{ hostId: 'h1', role: 'control-plane' }],
    });
    const problem = validatePlan(plan).find((candidate) => candidate.field === 'kubernetesVersion');
    expect(problem?.message).toContain('pkgs.k8s.io, which has 1.24 and newer: Kubernetes 1.20 is not there.');
    expect(problem?.fix).toBe('Choose 1.24 or newer, or plan a libvirt or Hyper-V lab with an offline bundle of 1.20.');
  });

  it('refuses Windows workers before 1.23, with a bundle too', () => {
    const problems = validatePlan(testPlan({ kubernetesVersion: '1.22.17', offlineBundle: '/srv/bundle' }), 'linux');
    expect(problems).toEqual([
      {
        field: 'windowsWorkers',
        message:
          'Windows workers need Kubernetes 1.23 or newer (their flannel and kube-proxy run as HostProcess containers, on by default from 1.23); this plan has 1.22.',
        fix: 'Choose 1.23 or newer, or set Windows workers to 0.',
      },
    ]);
  });

  it('refuses versions older than the table and text that is no version', () => {
    expect(validatePlan(testPlan({ ...linuxOnly, kubernetesVersion: '1.18.20' }), 'linux')).toEqual([
      {
        field: 'kubernetesVersion',
        message: 'Kubernetes 1.18 is older than Nestlab sets up (1.19 and newer).',
        fix: 'Choose 1.19 or newer, e.g. 1.30.8.',
      },
    ]);
    expect(validatePlan(testPlan({ ...linuxOnly, kubernetesVersion: 'v1.30' }), 'linux').map((problem) => problem.message)).toEqual([
      '"v1.30" is not a Kubernetes version.',
    ]);
  });
});
