import { describe, expect, it } from 'vitest';
import type { LabMachine } from '../../../shared/contract/labs';
import { machinesOf } from '../machines';
import type { StepContext } from '../step-context';
import { testPlan } from '../test-plans';
import { ensureEtcdctl } from './etcd-cluster';

/** A step context whose VM has etcdctl once `installs` apt-get runs succeeded (etcd-client installed). */
function vmWithout(options: { offlineBundle?: string; aptWorks: boolean }) {
  const commands: string[] = [];
  const logs: string[] = [];
  let installed = false;
  const ctx = {
    dry: false,
    plan: testPlan(options.offlineBundle === undefined ? {} : { offlineBundle: options.offlineBundle }),
    log: (text: string) => logs.push(text),
    observeVm: (_machine: LabMachine, command: { argv: string[] }) => {
      commands.push(command.argv.join(' '));
      if (command.argv.includes('apt-get')) installed = options.aptWorks;
      const found = command.argv.at(-1) === 'command -v etcdctl' && installed;
      return Promise.resolve({ exitCode: found || (command.argv.includes('apt-get') && options.aptWorks) ? 0 : 1, stdout: '', stderr: '' });
    },
  } as unknown as StepContext;
  return { ctx, commands, logs, machine: machinesOf(ctx.plan)[0]! };
}

describe('etcdctl on a control plane (kubeadm installs none)', () => {
  it('installs the etcd-client package when the lab has a route out, once', async () => {
    const vm = vmWithout({ aptWorks: true });
    await ensureEtcdctl(vm.ctx, vm.machine);
    expect(vm.commands).toEqual([
      'sh -c command -v etcdctl',
      'env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends etcd-client',
      'sh -c command -v etcdctl',
    ]);
    expect(vm.logs).toEqual(["etcdctl is not installed on lab1-cp1: installing the distribution's etcd-client package."]);
    vm.commands.length = 0;
    await ensureEtcdctl(vm.ctx, vm.machine);
    expect(vm.commands).toEqual(['sh -c command -v etcdctl']);
  });

  it('refuses with the package to install when apt-get cannot install it', async () => {
    const vm = vmWithout({ aptWorks: false });
    await expect(ensureEtcdctl(vm.ctx, vm.machine)).rejects.toMatchObject({
      code: 'PROGRAM_MISSING',
      message: 'etcdctl is not installed on lab1-cp1, and etcd snapshots run it there (kubeadm does not install it).',
      details: { fix: expect.stringContaining('Install the etcd-client package on lab1-cp1') },
    });
  });

  it('installs nothing on a lab from an offline bundle: it says how to bring etcdctl', async () => {
    const vm = vmWithout({ offlineBundle: '/bundles/k8s-1.20.2', aptWorks: true });
    await expect(ensureEtcdctl(vm.ctx, vm.machine)).rejects.toMatchObject({
      code: 'PROGRAM_MISSING',
      details: { fix: expect.stringContaining('npm run bundle -- ... --tool etcdctl=FILE') },
    });
    expect(vm.commands).toEqual(['sh -c command -v etcdctl']);
  });
});
