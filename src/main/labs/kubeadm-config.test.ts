import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { bootstrapFirst } from './bootstrap';
import { etcdKubeletDropIn, etcdMemberConfig, kubeadmInitConfig, kubeadmJoinConfig } from './kubeadm-config';
import { machinesOf } from './machines';
import type { CommandOptions, StepContext, VmCommand } from './step-context';
import { testPlan } from './test-plans';

const join = { token: 'abcdef.0123456789abcdef', caCertHash: 'sha256:0123' };
const certificateKey = 'f'.repeat(64);
const members = [1, 2, 3].map((index) => ({ name: `lab1-etcd${index}`, address: `192.168.150.${110 + index}` }));

function machine(plan: LabPlan, name: string): LabMachine {
  const found = machinesOf(plan).find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no machine ${name}`);
  return found;
}

const documents = (text: string) => parseAllDocuments(text).map((document) => document.toJS() as Record<string, unknown>);

/** One plan per kubeadm configuration API: 3 control planes, a Linux and (where the version allows) a Windows worker. */
const cases = [
  { api: 'v1beta2', plan: testPlan({ kubernetesVersion: '1.20.2', controlPlaneCount: 3, windowsWorkers: 0, offlineBundle: '/srv/b' }) },
  { api: 'v1beta3', plan: testPlan({ kubernetesVersion: '1.30.8', controlPlaneCount: 3 }) },
  { api: 'v1beta4', plan: testPlan({ kubernetesVersion: '1.31.4', controlPlaneCount: 3 }) },
] as const;

describe('kubeadm configuration per version', () => {
  for (const { api, plan } of cases) {
    it(`${plan.kubernetesVersion} writes kubeadm.k8s.io/${api}: init, control-plane join, worker joins (snapshots)`, () => {
      const init = kubeadmInitConfig(plan, machine(plan, 'lab1-cp1'), '192.168.150.101');
      const joinControlPlane = kubeadmJoinConfig(plan, machine(plan, 'lab1-cp2'), { ...join, certificateKey }, '192.168.150.102');
      const joinLinux = kubeadmJoinConfig(plan, machine(plan, 'lab1-linux1'), join, '192.168.150.104');
      expect(init).toMatchSnapshot('init');
      expect(joinControlPlane).toMatchSnapshot('join control plane');
      expect(joinLinux).toMatchSnapshot('join Linux worker');
      if (plan.windowsWorkers > 0) {
        expect(kubeadmJoinConfig(plan, machine(plan, 'lab1-win1'), join, '192.168.150.106')).toMatchSnapshot('join Windows worker');
      }
      for (const document of [...documents(init).slice(0, 2), ...documents(joinControlPlane), ...documents(joinLinux)]) {
        expect(document.apiVersion).toBe(`kubeadm.k8s.io/${api}`);
      }
      expect(documents(init)[2]).toEqual({
        apiVersion: 'kubelet.config.k8s.io/v1beta1',
        kind: 'KubeletConfiguration',
        cgroupDriver: 'systemd',
      });
    });
  }

  it('waits 10 minutes for the control plane where each API keeps that timeout', () => {
    const [v1beta2, v1beta3, v1beta4] = cases.map(({ plan }) => documents(kubeadmInitConfig(plan, machine(plan, 'lab1-cp1'), '10.0.0.1')));
    for (const config of [v1beta2!, v1beta3!]) {
      expect((config[1]!.apiServer as Record<string, unknown>).timeoutForControlPlane).toBe('10m0s');
      expect(config[0]!.timeouts).toBeUndefined();
    }
    // v1beta4 moved it to InitConfiguration.timeouts and no longer reads apiServer.timeoutForControlPlane.
    expect(v1beta4![0]!.timeouts).toEqual({ controlPlaneComponentHealthCheck: '10m0s' });
    expect(v1beta4![1]!.apiServer).toEqual({ certSANs: ['lab1-api.lab.internal', '10.0.0.1', '192.168.150.10'] });
  });

  it('waits as long as the driver waits for a boot under software emulation (30 minutes), in each API', () => {
    const [v1beta2, v1beta4] = [cases[0], cases[2]].map(({ plan }) =>
      documents(kubeadmInitConfig(plan, machine(plan, 'lab1-cp1'), '10.0.0.1', [], undefined, 30)),
    );
    expect((v1beta2![1]!.apiServer as Record<string, unknown>).timeoutForControlPlane).toBe('30m0s');
    expect(v1beta4![0]!.timeouts).toEqual({ controlPlaneComponentHealthCheck: '30m0s' });
  });

  it('writes etcd extraArgs as a map up to v1beta3 and as a list of {name, value} in v1beta4 (external etcd)', () => {
    const [v1beta2, v1beta3, v1beta4] = cases.map(({ plan }) => etcdMemberConfig({ ...plan, etcd: 'external' }, members, 'lab1-etcd2'));
    const extraArgs = (text: string) => (documents(text)[1]!.etcd as { local: { extraArgs: unknown } }).local.extraArgs;
    expect(extraArgs(v1beta2!)).toMatchObject({ name: 'lab1-etcd2', 'initial-cluster-state': 'new' });
    expect(extraArgs(v1beta3!)).toMatchObject({ name: 'lab1-etcd2', 'initial-cluster-state': 'new' });
    expect(extraArgs(v1beta4!)).toEqual(
      expect.arrayContaining([
        { name: 'name', value: 'lab1-etcd2' },
        { name: 'initial-cluster-state', value: 'new' },
      ]),
    );
    expect(v1beta2).toContain('apiVersion: kubeadm.k8s.io/v1beta2');
    expect(v1beta4).toMatchSnapshot('etcd member v1beta4');
  });

  it('tells a kubelet that still has the Docker shim (before 1.24) to use containerd, on etcd VMs', () => {
    expect(etcdKubeletDropIn(cases[0].plan)).toContain(
      '--cgroup-driver=systemd --container-runtime=remote --container-runtime-endpoint=unix:///run/containerd/containerd.sock',
    );
    expect(etcdKubeletDropIn(cases[1].plan)).not.toContain('--container-runtime=remote');
  });

  it('taints Windows workers os=windows:NoSchedule unless the plan turns it off; Linux workers never', () => {
    const plan = cases[1].plan;
    const registration = (p: LabPlan, name: string) =>
      documents(kubeadmJoinConfig(p, machine(p, name), join, '10.0.0.9'))[0]!.nodeRegistration as Record<string, unknown>;
    expect(registration(plan, 'lab1-win1').taints).toEqual([{ key: 'os', value: 'windows', effect: 'NoSchedule' }]);
    expect(registration(plan, 'lab1-win1').criSocket).toBe('npipe:////./pipe/containerd-containerd');
    expect(registration({ ...plan, taintWindowsWorkers: false }, 'lab1-win1').taints).toBeUndefined();
    expect(registration(plan, 'lab1-linux1').taints).toBeUndefined();
  });
});

describe('kubeadm init on the first control plane', () => {
  /** bootstrapFirst with a step context that records the VM commands (nothing exists on the VM yet). */
  async function bootstrapWith(bootTimeoutMs?: number) {
    const plan = testPlan({ windowsWorkers: 0 });
    const calls: { argv: readonly string[]; stdin?: string; timeoutMs?: number }[] = [];
    const ctx = {
      dry: false,
      plan,
      machines: machinesOf(plan),
      log: () => undefined,
      observeVm: () => Promise.resolve({ exitCode: 1, stdout: '', stderr: '' }),
      vm: (_machine: LabMachine, command: VmCommand, options: CommandOptions = {}) => {
        if ('argv' in command) calls.push({ argv: command.argv, stdin: options.stdin?.toString(), timeoutMs: options.timeoutMs });
        return Promise.resolve({ exitCode: 0, stdout: '', stderr: '' });
      },
    } as unknown as StepContext;
    await bootstrapFirst(ctx, { ...machine(plan, 'lab1-cp1'), address: '192.168.150.10' }, bootTimeoutMs);
    const config = calls.find((call) => call.argv.includes('/etc/nestlab/kubeadm.yaml') && call.stdin !== undefined)?.stdin ?? '';
    const init = calls.find((call) => call.argv[1] === 'init');
    return { wait: /timeoutForControlPlane: (\S+)/.exec(config)?.[1], initTimeoutMs: init?.timeoutMs };
  }

  it('gives kubeadm the driver’s boot wait under software emulation, and waits for kubeadm 5 minutes longer', async () => {
    expect(await bootstrapWith(1_800_000)).toEqual({ wait: '30m0s', initTimeoutMs: 35 * 60_000 });
    // KVM (a 5-minute boot wait) and drivers without one keep kubeadm's 10 minutes.
    expect(await bootstrapWith(300_000)).toEqual({ wait: '10m0s', initTimeoutMs: 15 * 60_000 });
    expect(await bootstrapWith()).toEqual({ wait: '10m0s', initTimeoutMs: 15 * 60_000 });
  });
});
