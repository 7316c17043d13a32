import { describe, expect, it } from 'vitest';
import type { HostSummary } from '../../shared/contract/hosts';
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import type { ExecResult } from '../hosts/ssh-connection';
import { applyCni } from './cni-step';
import { cniManifests, windowsCniManifests } from './cni-manifests';
import { useDryRunLabs } from './dry-run-labs.test-support';
import { machinesOf } from './machines';
import { applyMetallb } from './metallb';
import { checkBundleCni, type BundleFile } from './offline-bundle';
import { validatePlan } from './plan-validation';
import { pulledRegistries } from './registry-mirror';
import type { StepContext, VmCommand } from './step-context';
import { testPlan } from './test-plans';

/** A kubeadm lab that needs no registry: the bundle's packages, images and cni/. */
const plan = testPlan({ offlineBundle: '/srv/nestlab-bundle', cni: 'bundle', windowsWorkers: 0, kubernetesVersion: '1.20.2' });
const host = { id: 'host-1', name: 'kvm-lab', os: 'linux', storagePath: '/var/lib/libvirt/images' } as HostSummary;
const labs = useDryRunLabs(() => Promise.resolve(host));

/** A step context whose VM observations answer from `answer`, recording every command. */
function context(answer: (machine: LabMachine, argv: readonly string[]) => ExecResult) {
  const commands: string[] = [];
  const logged: string[] = [];
  const machines = machinesOf(plan).map((machine, index) => ({ ...machine, address: `192.168.150.${100 + index}` }));
  const record = (machine: LabMachine, command: VmCommand) => {
    if (!('argv' in command)) throw new Error('a Linux command was expected');
    commands.push(`${machine.name}: ${command.argv.join(' ')}`);
    return command.argv;
  };
  const ctx = {
    dry: false,
    plan,
    machines,
    log: (text: string) => logged.push(text),
    progress: () => undefined,
    observeVm: (machine: LabMachine, command: VmCommand) => Promise.resolve(answer(machine, record(machine, command))),
    vm: (machine: LabMachine, command: VmCommand) => {
      record(machine, command);
      return Promise.resolve({ exitCode: 0, stdout: '', stderr: '' });
    },
  } as unknown as StepContext;
  return { ctx, commands, logged };
}
const exit = (exitCode: number, stdout = ''): ExecResult => ({ exitCode, stdout, stderr: '' });
const file = (relative: string): BundleFile => ({ relative });

describe("the network plugin from the offline bundle's cni/", () => {
  it('is accepted with kubeadm and a bundle on Linux nodes; refused without a bundle, with k3s or with Windows workers, each with the fix', () => {
    expect(validatePlan(plan, 'linux')).toEqual([]);
    const problems = (overrides: Partial<LabPlan>) => validatePlan({ ...plan, ...overrides }, 'linux').filter((p) => p.field === 'cni');
    expect(problems({ offlineBundle: undefined })).toEqual([
      {
        field: 'cni',
        message:
          'The network plugin from the offline bundle needs an offline bundle: its cni/ folder holds the plugins and the network configuration.',
        fix: 'Give an offline bundle with cni/bin/ and cni/net.d/, or choose Flannel or Calico.',
      },
    ]);
    expect(problems({ distribution: 'k3s' }).map((p) => p.message)).toEqual([
      "k3s runs its own flannel (or none); the bundle's cni/ is installed the kubeadm way.",
    ]);
    expect(problems({ windowsWorkers: 1, kubernetesVersion: '1.30.8' }).map((p) => p.fix)).toEqual([
      'Choose Flannel or Calico, or set Windows workers to 0.',
    ]);
  });

  it('applies nothing and pulls from no CNI registry: the CNI step only looks at each Linux node’s /etc/cni/net.d', async () => {
    expect(cniManifests(plan)).toEqual([]);
    expect(windowsCniManifests(plan)).toEqual([]);
    expect(pulledRegistries(plan, 'linux').map((entry) => entry.registry)).toEqual(['k8s.gcr.io', 'quay.io', 'registry.k8s.io']);
    const steps = await labs.steps(plan);
    const cni = steps.find((step) => step.id === 'cni');
    expect(cni?.title).toBe("Check the network plugin from the offline bundle's cni/");
    expect(cni?.commands.map((command) => [command.target, command.display, command.root])).toEqual(
      ['lab1-cp1', 'lab1-linux1', 'lab1-linux2'].map((vm) => [{ kind: 'vm', vm }, "'sudo' 'ls' '/etc/cni/net.d'", true]),
    );
  });

  it('is done when every node has a network configuration, and names a node without one', async () => {
    const ready = context(() => exit(0, '10-nestlab-bridge.conflist\n'));
    expect(await applyCni(ready.ctx, false)).toEqual({
      status: 'done',
      detail: "the offline bundle's 10-nestlab-bridge.conflist on every node; nothing to apply",
    });
    expect(ready.commands).toEqual(['lab1-cp1', 'lab1-linux1', 'lab1-linux2'].map((vm) => `${vm}: ls /etc/cni/net.d`));
    const missing = context((machine) => (machine.name === 'lab1-linux2' ? exit(0, '') : exit(0, '10-nestlab-bridge.conflist\n')));
    await expect(applyCni(missing.ctx, false)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'lab1-linux2 has no CNI network configuration in /etc/cni/net.d, so its node cannot become Ready.',
      details: {
        fix: expect.stringContaining('Put a network configuration (a .conflist) into cni/net.d/ of the offline bundle') as string,
      },
    });
  });

  it('refuses a bundle without cni/bin/ or cni/net.d/ before anything is uploaded', () => {
    expect(() => checkBundleCni(plan, [file('cni/bin/bridge'), file('cni/net.d/10-bridge.conflist')])).not.toThrow();
    expect(() => checkBundleCni(plan, [file('debs/kubeadm.deb'), file('cni/bin/bridge')])).toThrow(
      "The lab's network plugin comes from the offline bundle, but /srv/nestlab-bundle has no cni/net.d/ folder with files.",
    );
    expect(() => checkBundleCni(plan, [file('debs/kubeadm.deb')])).toThrow('has no cni/bin/ and no cni/net.d/ folder with files.');
    // Other network plugins do not look at cni/.
    expect(() => checkBundleCni({ ...plan, cni: 'flannel' }, [file('debs/kubeadm.deb')])).not.toThrow();
  });
});

describe('MetalLB with an offline bundle', () => {
  it('is skipped, with what that means and the fix in the log, when the bundle has no manifests/metallb-native.yaml', async () => {
    const { ctx, commands, logged } = context(() => exit(1));
    expect(await applyMetallb(ctx)).toEqual({
      status: 'skipped',
      detail: 'The offline bundle has no MetalLB: LoadBalancer Services stay Pending (see the log).',
    });
    expect(commands).toEqual([
      'lab1-cp1: kubectl --kubeconfig /etc/kubernetes/admin.conf get configmap -n kube-system nestlab-metallb',
      'lab1-cp1: test -f /opt/nestlab/bundle/manifests/metallb-native.yaml',
    ]);
    expect(logged).toEqual([
      'The offline bundle has no manifests/metallb-native.yaml, so MetalLB is not installed: LoadBalancer Services of this lab stay Pending (no external address). For MetalLB, put its v0.14.9 metallb-native.yaml into manifests/ and quay.io/metallb/controller:v0.14.9 and quay.io/metallb/speaker:v0.14.9 into images/ of the bundle.',
    ]);
  });

  it("is applied from the bundle's manifest when the bundle has it", async () => {
    const { ctx, commands } = context((_machine, argv) => exit(argv[0] === 'test' ? 0 : 1));
    expect(await applyMetallb(ctx)).toEqual({ status: 'done' });
    expect(commands[2]).toBe(
      'lab1-cp1: kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /opt/nestlab/bundle/manifests/metallb-native.yaml',
    );
  });
});
