import type { HostCapacity } from '../../shared/contract/hosts';
import type { CapacityLine, LabMachine } from '../../shared/contract/labs';
import { roleLabel, roleOrder } from './machines';

/** vCPUs per logical CPU a lab may plan (lab VMs idle most of the time; memory is never overcommitted). */
export const CPU_OVERCOMMIT = 2;
/** Memory kept for the host itself (its OS, libvirt or Hyper-V, the page cache). */
export const HOST_MEMORY_RESERVE_MIB = 2048;

function gib(mib: number): string {
  const value = Math.round((mib / 1024) * 10) / 10;
  return `${value} GiB`;
}

/**
 * The capacity check, one line per resource with the sum written out. `machines` are the VMs to
 * add (all of them for a new lab, the new workers when scaling up): VMs that already run are
 * already counted in the host's available memory and free disk.
 */
export function capacityLines(machines: readonly LabMachine[], capacity: HostCapacity, options: { reserve: boolean }): CapacityLine[] {
  const groups = roleOrder
    .map((role) => ({ role, list: machines.filter((machine) => machine.role === role) }))
    .filter((group) => group.list.length > 0);
  // Within a role every VM has the plan's size for it.
  const term = (group: (typeof groups)[number], value: (m: LabMachine) => string) =>
    `${roleLabel(group.role, group.list.length)} × ${value(group.list[0] as LabMachine)}`;

  const cpuNeeded = machines.reduce((sum, machine) => sum + machine.size.cpus, 0);
  const cpuAvailable = capacity.cpus * CPU_OVERCOMMIT;
  const memoryReserve = options.reserve ? HOST_MEMORY_RESERVE_MIB : 0;
  const memoryNeeded = machines.reduce((sum, machine) => sum + machine.size.memoryMiB, 0) + memoryReserve;
  const diskNeeded = machines.reduce((sum, machine) => sum + machine.size.diskGiB, 0);

  const cpuTerms = groups.map((group) => term(group, (m) => `${m.size.cpus} vCPU`));
  const memoryTerms = groups.map((group) => term(group, (m) => gib(m.size.memoryMiB)));
  if (memoryReserve > 0) memoryTerms.push(`host reserve ${gib(memoryReserve)}`);
  const diskTerms = groups.map((group) => term(group, (m) => `${m.size.diskGiB} GiB`));

  const line = (
    resource: CapacityLine['resource'],
    unit: CapacityLine['unit'],
    needed: number,
    available: number,
    terms: string[],
    shown: (value: number) => string,
    availableText: string,
  ): CapacityLine => {
    const ok = needed <= available;
    const title = { cpu: 'CPU', memory: 'Memory', disk: 'Disk' }[resource];
    return {
      resource,
      unit,
      needed,
      available,
      ok,
      arithmetic: `${terms.join(' + ') || 'nothing'} = ${shown(needed)}; ${availableText}`,
      summary: `${title}: ${shown(needed)} needed, ${shown(available)} available: ${ok ? 'fits' : `short by ${shown(needed - available)}`}.`,
    };
  };
  return [
    line(
      'cpu',
      'vCPU',
      cpuNeeded,
      cpuAvailable,
      cpuTerms,
      (value) => `${value} vCPU`,
      `host: ${capacity.cpus} logical CPUs × ${CPU_OVERCOMMIT} (overcommit) = ${cpuAvailable} vCPU`,
    ),
    line(
      'memory',
      'MiB',
      memoryNeeded,
      capacity.memoryAvailableMiB,
      memoryTerms,
      gib,
      `host: ${gib(capacity.memoryAvailableMiB)} available of ${gib(capacity.memoryMiB)}`,
    ),
    line(
      'disk',
      'GiB',
      diskNeeded,
      capacity.diskFreeGiB,
      diskTerms,
      (value) => `${Math.round(value * 10) / 10} GiB`,
      `host: ${Math.round(capacity.diskFreeGiB * 10) / 10} GiB free in ${capacity.storagePath}`,
    ),
  ];
}
