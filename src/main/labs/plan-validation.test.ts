import { describe, expect, it } from 'vitest';
import { FIRST_LAB_NETWORK, type MachineRole } from '../../shared/contract/labs';
import { existingHostProblems, validatePlan } from './plan-validation';
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
    expect(
      fields(testPlan({ network: { ...FIRST_LAB_NETWORK, mode: 'nat', cidr: '192.168.150.0', poolStart: '1.1.1.1', poolEnd: '1.1.1.2' } })),
    ).toEqual(['network.cidr']);
    expect(
      fields(
        testPlan({
          network: { ...FIRST_LAB_NETWORK, mode: 'nat', cidr: '192.168.150.0/24', poolStart: '192.168.150.1', poolEnd: '192.168.151.9' },
        }),
      ),
    ).toEqual(['network.poolStart', 'network.poolEnd']);
    expect(
      validatePlan(
        testPlan({ network: { ...FIRST_LAB_NETWORK, mode: 'nat', cidr: '10.0.0.0/24', poolStart: '10.0.0.10', poolEnd: '10.0.0.12' } }),
      )[0]?.message,
    ).toBe('The pool has 3 addresses for 4 VMs.');
    expect(fields(testPlan({ apiEndpoint: { host: '192.168.150.120', port: 6443, address: '192.168.150.10' } }))).toEqual([
      'apiEndpoint.host',
    ]);
    expect(
      fields(
        testPlan({
          network: {
            ...FIRST_LAB_NETWORK,
            mode: 'bridge',
            cidr: '192.168.150.0/24',
            poolStart: '192.168.150.100',
            poolEnd: '192.168.150.199',
          },
        }),
      ),
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

  it('accepts external etcd with kubeadm (3 etcd VMs) and refuses it with k3s, saying why', () => {
    expect(validatePlan(testPlan({ etcd: 'external' }), 'linux')).toEqual([]);
    const problems = validatePlan(testPlan({ etcd: 'external', distribution: 'k3s', windowsWorkers: 0 }), 'linux');
    expect(problems.map((problem) => [problem.field, problem.fix])).toEqual([
      ['etcd', 'Choose kubeadm for external etcd, or stacked etcd with k3s (embedded etcd on the servers).'],
    ]);
  });

  it('checks existing machines: exact control planes, each host once, Windows only with kubeadm, no offline bundle', () => {
    const plan = testPlan({
      driver: 'existing',
      distribution: 'k3s',
      controlPlaneCount: 1,
      linuxWorkers: 1,
      windowsWorkers: 1,
      offlineBundle: '/srv/bundle',
      existingMachines: [
        { hostId: 'h1', role: 'linux-worker' },
        { hostId: 'h1', role: 'windows-worker' },
      ],
    });
    expect(validatePlan(plan).map((problem) => [problem.field, problem.message])).toEqual([
      ['windowsWorkers', expect.stringContaining('k3s cannot have Windows workers') as string],
      ['existingMachines', 'The plan asks for 1 control plane and 0 machines are assigned to that role.'],
      ['existingMachines', 'Host h1 is assigned twice.'],
      ['offlineBundle', expect.stringContaining('existing machines install from their own package sources') as string],
      ['existingMachines', 'k3s cannot run on Windows machines: its agent is a Linux binary.'],
    ]);
  });

  it('accepts existing machines that match the plan (no network or base image needed)', () => {
    const plan = testPlan({
      driver: 'existing',
      linuxWorkers: 1,
      windowsWorkers: 0,
      baseImage: '',
      network: { ...FIRST_LAB_NETWORK, mode: 'nat', cidr: '', poolStart: '', poolEnd: '' },
      existingMachines: [
        { hostId: 'h1', role: 'control-plane' },
        { hostId: 'h2', role: 'linux-worker' },
      ],
    });
    expect(validatePlan(plan, 'linux')).toEqual([]);
  });
});

describe('existingHostProblems', () => {
  const roles = new Map<string, MachineRole>([
    ['h1', 'control-plane'],
    ['h2', 'linux-worker'],
    ['h3', 'linux-worker'],
    ['h4', 'windows-worker'],
  ]);

  it('names a missing host, an unaccepted host key and a role that does not fit the OS, each with the fix', () => {
    const problems = existingHostProblems(
      [
        { hostId: 'h1', host: { name: 'cp', os: 'linux', hostKeyAccepted: true } },
        { hostId: 'h2' },
        { hostId: 'h3', host: { name: 'fresh', os: 'linux', hostKeyAccepted: false } },
        { hostId: 'h4', host: { name: 'tux', os: 'linux', hostKeyAccepted: true } },
      ],
      roles,
    );
    expect(problems.map((problem) => [problem.message, problem.fix])).toEqual([
      ['Host h2 is not in the inventory.', 'Add it in the Hosts view, or choose another host.'],
      [
        'fresh has no accepted host key, so Nestlab will not run commands on it.',
        'Test the connection to fresh in the Hosts view and accept its host key fingerprint.',
      ],
      ['tux runs Linux and cannot be a Windows worker.', 'Give tux a role that matches its OS.'],
    ]);
  });
});
