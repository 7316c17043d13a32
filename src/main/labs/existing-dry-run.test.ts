import { describe, expect, it } from 'vitest';
import type { HostSummary } from '../../shared/contract/hosts';
import type { PlannedStep } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { useDryRunLabs } from './dry-run-labs.test-support';
import { K3S_INSTALL_SCRIPT } from './pinned-scripts';
import { testPlan } from './test-plans';

const inventory = new Map<string, HostSummary>(
  [
    { id: 'h-cp', name: 'rack-1', address: '10.0.0.11' },
    { id: 'h-w1', name: 'rack-2', address: '10.0.0.12' },
    { id: 'h-w2', name: 'rack-3', address: '10.0.0.13' },
  ].map((host) => [host.id, { ...host, os: 'linux', storagePath: '/var/lib/libvirt/images' } as HostSummary]),
);
const labs = useDryRunLabs((id) => {
  const host = inventory.get(id);
  return host === undefined ? Promise.reject(new AppError('NOT_FOUND', `no host ${id}`)) : Promise.resolve(host);
});

const existingPlan = (overrides = {}) =>
  testPlan({
    hostId: 'h-cp',
    driver: 'existing',
    // The sliders do not apply: the worker counts come from the machine list.
    linuxWorkers: 7,
    windowsWorkers: 0,
    existingMachines: [
      { hostId: 'h-cp', role: 'control-plane' },
      { hostId: 'h-w1', role: 'linux-worker' },
      { hostId: 'h-w2', role: 'linux-worker' },
    ],
    ...overrides,
  });

const dryRun = (plan = existingPlan()) => labs.steps(plan);

const lines = (steps: PlannedStep[]) =>
  steps.flatMap((step) =>
    step.commands.map(
      (command) => `[${step.id}] ${command.target.kind === 'vm' ? command.target.vm : command.target.kind}: ${command.display}`,
    ),
  );

describe('dry run of an existing-machines lab', () => {
  it('creates nothing: checks each machine over SSH, installs kubeadm where missing, bootstraps, joins', async () => {
    const steps = await dryRun();
    expect(steps.map((step) => `${step.id} | ${step.title}`)).toEqual([
      'create-vm:lab1-cp1 | Check lab1-cp1 answers over SSH',
      'create-vm:lab1-linux1 | Check lab1-linux1 answers over SSH',
      'create-vm:lab1-linux2 | Check lab1-linux2 answers over SSH',
      "address:lab1-cp1 | Wait for lab1-cp1's address",
      "address:lab1-linux1 | Wait for lab1-linux1's address",
      "address:lab1-linux2 | Wait for lab1-linux2's address",
      'ssh:lab1-cp1 | Install Kubernetes tools on lab1-cp1',
      'ssh:lab1-linux1 | Install Kubernetes tools on lab1-linux1',
      'ssh:lab1-linux2 | Install Kubernetes tools on lab1-linux2',
      'bootstrap:lab1-cp1 | Bootstrap the first control plane (lab1-cp1)',
      'cni | Install Flannel',
      'join:lab1-linux1 | Join lab1-linux1',
      'join:lab1-linux2 | Join lab1-linux2',
      'kubeconfig | Fetch, rewrite, verify and save the kubeconfig',
      "annotate:lab1-cp1 | Annotate node lab1-cp1 with its machine's host",
      "annotate:lab1-linux1 | Annotate node lab1-linux1 with its machine's host",
      "annotate:lab1-linux2 | Annotate node lab1-linux2 with its machine's host",
      'ready | Wait for the nodes to be Ready',
    ]);
  });

  it('lists every command per machine (snapshot), with the machine host as the node annotation and no VM', async () => {
    const all = lines(await dryRun());
    expect(all.join('\n')).toMatchSnapshot();
    expect(all).toContain('[annotate:lab1-linux2] local: PATCH node lab1-linux2: nestlab.dev/host=rack-3');
    expect(all.join('\n')).not.toMatch(/virsh|virt-install|--token |abcdef\./);
  });

  it('k3s: the install script on each machine, nothing else installed first', async () => {
    const all = lines(await dryRun(existingPlan({ distribution: 'k3s' })));
    expect(all.filter((line) => line.includes(K3S_INSTALL_SCRIPT.url))).toHaveLength(3);
    expect(all.some((line) => line.includes('kubeadm'))).toBe(false);
  });

  it('refuses a machine list that does not match the plan, with the problems', async () => {
    const result = await labs.service().dryRun(existingPlan({ existingMachines: [{ hostId: 'h-w1', role: 'linux-worker' }] }));
    expect(result).toEqual({ status: 'invalid', problems: [expect.objectContaining({ field: 'existingMachines' })] });
  });
});
