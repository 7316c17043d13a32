import { describe, expect, it } from 'vitest';
import type { LabMachine } from '../../../shared/contract/labs';
import { dryRunSteps } from '../engine';
import { machinesOf } from '../machines';
import { done } from '../step-context';
import type { StepContext } from '../step-context';
import { testPlan } from '../test-plans';
import { kubernetesAptSource, upgradeOrder, upgradeProblem, upgradeSteps } from './upgrade';

const from = testPlan({ kubernetesVersion: '1.30.8', controlPlaneCount: 3, linuxWorkers: 2, windowsWorkers: 0 });
const machines: LabMachine[] = machinesOf(from).map((machine) => ({ ...machine, state: 'joined', address: `addr-of-${machine.name}` }));

/** The Kubernetes side as the dry run lists it: one line per call, in order. */
const cluster = {
  cordon: (ctx: StepContext, machine: LabMachine) => Promise.resolve((ctx.local(`cordon ${machine.name}`), done())),
  drain: (ctx: StepContext, machine: LabMachine) => Promise.resolve((ctx.local(`drain ${machine.name} (eviction API)`), done())),
  uncordon: (ctx: StepContext, machine: LabMachine) => Promise.resolve((ctx.local(`uncordon ${machine.name}`), done())),
  waitReady: (ctx: StepContext, nodes: LabMachine[]) =>
    Promise.resolve((ctx.local(`wait until Ready: ${nodes.map((node) => node.name).join(', ')}`), done())),
};

describe('kubeadm upgrade', () => {
  it('refuses what it cannot do, saying why', () => {
    expect(upgradeProblem(from, '1.31.4')).toBeUndefined();
    expect(upgradeProblem(from, '1.32.0')).toBe(
      'kubeadm upgrades one minor version at a time: from 1.30.8 the next is 1.31.x, not 1.32.0.',
    );
    expect(upgradeProblem(from, '1.30.9')).toMatch(/^kubeadm upgrades one minor version at a time/);
    expect(upgradeProblem(from, 'latest')).toMatch(/^latest is not a Kubernetes version/);
    expect(upgradeProblem({ ...from, distribution: 'k3s' }, '1.31.4')).toMatch(/^Nestlab upgrades kubeadm labs/);
    expect(upgradeProblem({ ...from, offlineBundle: '/srv/bundle' }, '1.31.4')).toMatch(/offline bundle/);
    expect(upgradeProblem({ ...from, kubernetesVersion: '1.20.2' }, '1.21.14')).toMatch(/offline bundle/);
    expect(upgradeProblem({ ...from, windowsWorkers: 1 }, '1.31.4')).toMatch(/Windows workers/);
  });

  it('goes through the first control plane, the other control planes, then the workers', () => {
    expect(upgradeOrder(from, machines).map((machine) => machine.name)).toEqual([
      'lab1-cp1',
      'lab1-cp2',
      'lab1-cp3',
      'lab1-linux1',
      'lab1-linux2',
    ]);
  });

  it('takes the packages from the target minor version’s repository, with the key the lab was installed with', () => {
    expect(kubernetesAptSource('1.31.4')).toBe(
      'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.31/deb/ /\n',
    );
  });

  it('runs plan and apply on the first control plane, then each node in turn: upgrade node, drain, kubelet, Ready, uncordon', async () => {
    const plan = { ...from, kubernetesVersion: '1.31.4' };
    const steps = await dryRunSteps(plan, machines, '/srv', upgradeSteps(plan, machines, cluster));
    const lines = steps.flatMap((step) =>
      step.commands.map(
        (command) => `[${step.id}] ${command.target.kind === 'vm' ? command.target.vm : command.target.kind}: ${command.display}`,
      ),
    );
    expect(lines.join('\n')).toMatchSnapshot();
    const worker = lines.filter((line) => line.includes('lab1-linux1'));
    const at = (text: string) => worker.findIndex((line) => line.includes(text));
    // Observe first; kubeadm upgrade node before the drain; the kubelet only once the node is drained.
    expect(at("'kubelet' '--version'")).toBe(0);
    expect(at("'kubeadm' 'upgrade' 'node'")).toBeLessThan(at('drain lab1-linux1'));
    expect(at('drain lab1-linux1')).toBeLessThan(at("'systemctl' 'restart' 'kubelet'"));
    expect(at("'systemctl' 'restart' 'kubelet'")).toBeLessThan(at('uncordon lab1-linux1'));
    expect(lines.filter((line) => line.includes("'kubeadm' 'upgrade' 'apply'"))).toEqual([
      "[upgrade-control-plane] lab1-cp1: 'sudo' 'kubeadm' 'upgrade' 'apply' '-y' 'v1.31.4'",
    ]);
  });
});
