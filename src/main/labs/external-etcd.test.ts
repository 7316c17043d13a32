import { describe, expect, it } from 'vitest';
import type { HostCapacity, HostSummary } from '../../shared/contract/hosts';
import { etcdMemberConfig, kubeadmInitConfig } from './kubeadm-config';
import { capacityLines } from './capacity';
import { machinesOf } from './machines';
import { useDryRunLabs } from './dry-run-labs.test-support';
import { testPlan } from './test-plans';

const host = { id: 'host-1', name: 'kvm-lab', os: 'linux', storagePath: '/var/lib/libvirt/images' } as HostSummary;
const plan = testPlan({ etcd: 'external', windowsWorkers: 0, linuxWorkers: 1 });
const members = [1, 2, 3].map((index) => ({ name: `lab1-etcd${index}`, address: `192.168.150.${110 + index}` }));

const labs = useDryRunLabs(() => Promise.resolve(host));
const dryRun = () => labs.steps(plan);

describe('external etcd (kubeadm)', () => {
  it('plans 3 etcd VMs that the capacity check counts, and never joins them as nodes', async () => {
    const machines = machinesOf(plan);
    expect(machines.map((machine) => machine.name)).toEqual(['lab1-cp1', 'lab1-etcd1', 'lab1-etcd2', 'lab1-etcd3', 'lab1-linux1']);
    const memory = capacityLines(
      machines,
      { hypervisor: 'kvm', cpus: 16, memoryMiB: 65536, memoryAvailableMiB: 60000, diskFreeGiB: 500, storagePath: '/x' } as HostCapacity,
      { reserve: true },
    ).find((line) => line.resource === 'memory');
    expect(memory?.arithmetic).toContain('3 etcd VMs × 2 GiB');
    const ids = (await dryRun()).map((step) => step.id);
    expect(ids).toContain('create-vm:lab1-etcd3');
    expect(ids.indexOf('etcd')).toBeLessThan(ids.indexOf('bootstrap:lab1-cp1'));
    expect(ids.filter((id) => /^(join|annotate):lab1-etcd/.test(id))).toEqual([]);
  });

  it('dry run: CA once on the first member, copied over stdin, member certificates and static pods, client certificate to the control plane', async () => {
    const etcd = (await dryRun()).find((step) => step.id === 'etcd');
    const lines = etcd?.commands.map(
      (command) => `${command.target.kind === 'vm' ? command.target.vm : command.target.kind}: ${command.display}`,
    );
    expect(lines?.join('\n')).toMatchSnapshot();
    expect(lines?.filter((line) => line.includes("'certs' 'etcd-ca'"))).toEqual([
      "lab1-etcd1: 'sudo' 'kubeadm' 'init' 'phase' 'certs' 'etcd-ca'",
    ]);
  });

  it('generates each member config and the control plane ClusterConfiguration.etcd.external (snapshot)', () => {
    expect(etcdMemberConfig(plan, members, 'lab1-etcd2')).toMatchSnapshot();
    const [cp] = machinesOf(plan);
    const init = kubeadmInitConfig(
      plan,
      cp!,
      '192.168.150.101',
      members.map((member) => member.address),
    );
    expect(init).toMatchSnapshot();
    expect(init).toContain('- https://192.168.150.113:2379');
  });
});
