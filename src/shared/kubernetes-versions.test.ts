import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KUBERNETES_VERSION,
  describeKubernetesVersion,
  kubernetesPackageRepository,
  kubernetesVersionRules,
  KUBERNETES_VERSION_TABLE,
  lookUpKubernetesVersion,
  OFFERED_KUBERNETES_VERSIONS,
} from './kubernetes-versions';

const rules = (version: string) => {
  const found = kubernetesVersionRules(version);
  if (found === undefined) throw new Error(`${version} is not in the table`);
  return found;
};

describe('the Kubernetes version table', () => {
  it('gives each minor version its kubeadm configuration API: v1beta2 before 1.22, v1beta3 from 1.22, v1beta4 from 1.31', () => {
    expect(
      ['1.19.16', '1.20.2', '1.21.14', '1.22.0', '1.30.8', '1.31.0', '1.31.4', '1.35.1'].map((v) => rules(v).kubeadmConfigApi),
    ).toEqual([
      'kubeadm.k8s.io/v1beta2',
      'kubeadm.k8s.io/v1beta2',
      'kubeadm.k8s.io/v1beta2',
      'kubeadm.k8s.io/v1beta3',
      'kubeadm.k8s.io/v1beta3',
      'kubeadm.k8s.io/v1beta4',
      'kubeadm.k8s.io/v1beta4',
      'kubeadm.k8s.io/v1beta4',
    ]);
  });

  it('installs from pkgs.k8s.io from 1.24 only; older versions need an offline bundle', () => {
    expect(rules('1.23.17').installSource).toBe('bundle');
    expect(rules('1.20.2').installSource).toBe('bundle');
    expect(rules('1.24.0').installSource).toBe('packages');
    expect(rules('1.31.4').installSource).toBe('packages');
    expect(kubernetesPackageRepository('1.30.8')).toBe('https://pkgs.k8s.io/core:/stable:/v1.30/deb/');
  });

  it('allows Windows workers from 1.23 (HostProcess containers) and knows where the kubelet still has the Docker shim', () => {
    expect(rules('1.22.17').windowsWorkers).toBe(false);
    expect(rules('1.23.0').windowsWorkers).toBe(true);
    expect(rules('1.20.2').kubeletDockershim).toBe(true);
    expect(rules('1.24.0').kubeletDockershim).toBe(false);
  });

  it('refuses what it cannot set up: malformed text, major versions other than 1, minors before 1.19', () => {
    expect(lookUpKubernetesVersion('latest')).toEqual({ status: 'malformed', version: 'latest' });
    expect(lookUpKubernetesVersion('1.30')).toEqual({ status: 'malformed', version: '1.30' });
    expect(lookUpKubernetesVersion('2.0.0')).toEqual({ status: 'malformed', version: '2.0.0' });
    expect(lookUpKubernetesVersion('1.18.20')).toEqual({ status: 'too-old', version: '1.18.20', minorVersion: '1.18' });
  });

  it('offers versions that are all in the table, newest first, with the default among them and the seed scenarios’ 1.19 and 1.20', () => {
    for (const version of OFFERED_KUBERNETES_VERSIONS) expect(rules(version).k3s).toBe(true);
    expect(OFFERED_KUBERNETES_VERSIONS).toContain(DEFAULT_KUBERNETES_VERSION);
    expect(OFFERED_KUBERNETES_VERSIONS.map((version) => version.split('.').slice(0, 2).join('.'))).toEqual(
      expect.arrayContaining(['1.19', '1.20', '1.31']),
    );
    const minors = OFFERED_KUBERNETES_VERSIONS.map((version) => Number(version.split('.')[1]));
    expect([...minors].sort((a, b) => b - a)).toEqual(minors);
    const froms = KUBERNETES_VERSION_TABLE.map((row) => row.fromMinor);
    expect([...froms].sort((a, b) => a - b)).toEqual(froms);
  });

  it('says in words what a version allows, per distribution', () => {
    expect(describeKubernetesVersion(rules('1.20.2'), 'kubeadm')).toEqual({
      install: 'Needs an offline bundle: pkgs.k8s.io has 1.24 and newer only.',
      windows: 'Windows workers: not with 1.20 (they need 1.23 or newer).',
      configApi: 'kubeadm configuration: v1beta2.',
    });
    expect(describeKubernetesVersion(rules('1.31.4'), 'kubeadm')).toEqual({
      install: 'Installs from pkgs.k8s.io, or from an offline bundle.',
      windows: 'Windows workers: allowed.',
      configApi: 'kubeadm configuration: v1beta4.',
    });
    expect(describeKubernetesVersion(rules('1.20.2'), 'k3s').windows).toBe('Windows workers: not with k3s (its agent is Linux-only).');
  });
});
