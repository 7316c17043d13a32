import { describe, expect, it } from 'vitest';
import type { HostCapacity } from '../../shared/contract/hosts';
import { capacityLines } from './capacity';
import { machinesOf } from './machines';
import { testPlan } from './test-plans';

const host: HostCapacity = {
  hypervisor: 'kvm',
  cpus: 8,
  memoryMiB: 32 * 1024,
  memoryAvailableMiB: 20 * 1024,
  diskFreeGiB: 150,
  storagePath: '/var/lib/libvirt/images',
  nestedVirtualization: true,
};

describe('capacityLines', () => {
  it('writes out the sum per resource against what the host offers', () => {
    const lines = capacityLines(machinesOf(testPlan()), host, { reserve: true });
    expect(lines.map((line) => [line.arithmetic, line.summary])).toMatchInlineSnapshot(`
      [
        [
          "1 control plane × 2 vCPU + 2 Linux workers × 2 vCPU + 1 Windows worker × 4 vCPU = 10 vCPU; host: 8 logical CPUs × 2 (overcommit) = 16 vCPU",
          "CPU: 10 vCPU needed, 16 vCPU available: fits.",
        ],
        [
          "1 control plane × 4 GiB + 2 Linux workers × 4 GiB + 1 Windows worker × 8 GiB + host reserve 2 GiB = 22 GiB; host: 20 GiB available of 32 GiB",
          "Memory: 22 GiB needed, 20 GiB available: short by 2 GiB.",
        ],
        [
          "1 control plane × 40 GiB + 2 Linux workers × 40 GiB + 1 Windows worker × 60 GiB = 180 GiB; host: 150 GiB free in /var/lib/libvirt/images",
          "Disk: 180 GiB needed, 150 GiB available: short by 30 GiB.",
        ],
      ]
    `);
    expect(lines.map((line) => line.ok)).toEqual([true, false, false]);
  });

  it('counts only the VMs a scale-up adds, without the host reserve', () => {
    const added = machinesOf(testPlan({ linuxWorkers: 3 })).filter((machine) => machine.name === 'lab1-linux3');
    const [cpu, memory] = capacityLines(added, host, { reserve: false });
    expect(cpu?.arithmetic).toBe('1 Linux worker × 2 vCPU = 2 vCPU; host: 8 logical CPUs × 2 (overcommit) = 16 vCPU');
    expect(memory?.needed).toBe(4096);
  });
});
