import { describe, expect, it } from 'vitest';
import { validatePlan } from './plan-validation';
import { testPlan } from './test-plans';

const fields = (plan = testPlan(), os?: 'linux' | 'windows') => validatePlan(plan, os).map((problem) => problem.field);

describe('validatePlan', () => {
  it('accepts the test plan on a Linux host', () => {
    expect(validatePlan(testPlan(), 'linux')).toEqual([]);
  });

  it('refuses Windows workers with k3s, saying why and what to do', () => {
    const [problem] = validatePlan(testPlan({ distribution: 'k3s' }), 'linux');
    expect(problem).toEqual({
      field: 'windowsWorkers',
      message: expect.stringContaining('k3s cannot have Windows workers: k3s ships a Linux-only agent') as string,
      fix: 'Choose kubeadm to add Windows workers (the upstream kubeadm path for Windows nodes), or set Windows workers to 0.',
    });
  });

  it('refuses lab names that are not DNS labels (shell metacharacters included)', () => {
    for (const name of ['Lab1', 'lab_1', 'lab;rm -rf /', '-lab', 'lab-', 'a'.repeat(41), '$(id)']) {
      expect(fields(testPlan({ name, windowsWorkers: 0 }))).toContain('name');
    }
  });

  it('keeps Windows VM names within the 15 characters Windows allows', () => {
    const [problem] = validatePlan(testPlan({ name: 'my-long-lab' }), 'linux');
    expect(problem?.message).toBe(
      'The Windows VM name "my-long-lab-win1" is longer than 15 characters, which Windows computer names cannot be.',
    );
    expect(problem?.fix).toBe('Use a lab name of at most 10 characters.');
  });

  it('checks the driver against the host OS', () => {
    expect(fields(testPlan({ driver: 'hyperv' }), 'linux')).toEqual(['driver']);
    expect(fields(testPlan(), 'windows')).toEqual(['driver']);
  });

  it('checks the network: CIDR, the pool inside it and large enough, and a VIP outside the pool', () => {
    expect(fields(testPlan({ network: { mode: 'nat', cidr: '192.168.150.0', poolStart: '1.1.1.1', poolEnd: '1.1.1.2' } }))).toEqual([
      'network.cidr',
    ]);
    expect(
      fields(testPlan({ network: { mode: 'nat', cidr: '192.168.150.0/24', poolStart: '192.168.150.1', poolEnd: '192.168.151.9' } })),
    ).toEqual(['network.poolStart', 'network.poolEnd']);
    expect(
      validatePlan(testPlan({ network: { mode: 'nat', cidr: '10.0.0.0/24', poolStart: '10.0.0.10', poolEnd: '10.0.0.12' } }))[0]?.message,
    ).toBe('The pool has 3 addresses for 4 VMs.');
    expect(fields(testPlan({ apiEndpoint: { host: '192.168.150.120', port: 6443 } }))).toEqual(['apiEndpoint.host']);
    expect(
      fields(testPlan({ network: { mode: 'bridge', cidr: '192.168.150.0/24', poolStart: '192.168.150.100', poolEnd: '192.168.150.199' } })),
    ).toEqual(['network.bridge']);
  });

  it('checks versions, sizes, paths and the mirror URL', () => {
    expect(
      fields(
        testPlan({
          kubernetesVersion: 'latest',
          baseImage: 'relative/image.img',
          registryMirror: 'ftp://mirror',
          sizes: { ...testPlan().sizes, controlPlane: { preset: 'custom', cpus: 1, memoryMiB: 512, diskGiB: 5 } },
        }),
      ),
    ).toEqual([
      'kubernetesVersion',
      'sizes.controlPlane.cpus',
      'sizes.controlPlane.memoryMiB',
      'sizes.controlPlane.diskGiB',
      'baseImage',
      'registryMirror',
    ]);
  });

  it('says external etcd is not provisioned yet and offers stacked', () => {
    const [problem] = validatePlan(testPlan({ etcd: 'external' }));
    expect(problem?.field).toBe('etcd');
    expect(problem?.fix).toMatch(/Choose stacked etcd/);
  });

  it('checks existing machines against the counts and says the driver cannot provision yet', () => {
    const plan = testPlan({ driver: 'existing', windowsWorkers: 0, existingMachines: [{ hostId: 'h1', role: 'control-plane' }] });
    expect(validatePlan(plan).map((problem) => [problem.field, problem.message])).toEqual([
      ['existingMachines', 'The plan asks for 2 linux-worker machine(s) and 0 are assigned.'],
      ['driver', 'Nestlab cannot provision existing machines yet (only check their plan): it creates the VMs it bootstraps.'],
    ]);
  });
});
