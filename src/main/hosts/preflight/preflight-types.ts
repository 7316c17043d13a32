/** Outcome of one preflight check. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One line of the preflight report, as the hosts view shows it. Plain JSON. */
export interface PreflightCheck {
  /** Stable id, e.g. "cpu-virtualization", for tests and docs links. */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found, in words. */
  detail: string;
  /** What to do about a warn or fail (a command to run where there is one). */
  fix?: string;
}

/** What a lab plan can use on this host. */
export interface HostCapacity {
  hypervisor: 'kvm' | 'hyperv';
  cpus: number;
  memoryMiB: number;
  memoryAvailableMiB: number;
  diskFreeGiB: number;
  /** Where VM disks go (Linux: the libvirt pool path; Windows: the VM path). */
  storagePath: string;
  /** VMs on this host can run hypervisors themselves (nested virtualization works). */
  nestedVirtualization: boolean;
}

/** The whole preflight result for one host. Plain JSON. */
export interface PreflightReport {
  os: 'linux' | 'windows';
  /** The worst status among the checks. */
  status: CheckStatus;
  checks: PreflightCheck[];
  capacity: HostCapacity;
  /** ISO time of the probe. */
  probedAt: string;
}

/** Limits the checks compare against; a lab plan may pass stricter ones. */
export interface PreflightThresholds {
  minCpus: number;
  recommendedCpus: number;
  minMemoryMiB: number;
  recommendedMemoryMiB: number;
  minDiskGiB: number;
  recommendedDiskGiB: number;
  /** Fail (rather than warn) when nested virtualization is off. */
  requireNestedVirtualization: boolean;
}

export const defaultThresholds: PreflightThresholds = {
  minCpus: 4,
  recommendedCpus: 8,
  minMemoryMiB: 16 * 1024,
  recommendedMemoryMiB: 32 * 1024,
  minDiskGiB: 100,
  recommendedDiskGiB: 250,
  requireNestedVirtualization: true,
};

/** The worst of several statuses (fail > warn > pass). */
export function worstStatus(statuses: readonly CheckStatus[]): CheckStatus {
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('warn')) return 'warn';
  return 'pass';
}

/** pass/warn/fail for an amount with a minimum and a recommendation. */
export function gradeAmount(value: number, minimum: number, recommended: number): CheckStatus {
  if (value < minimum) return 'fail';
  if (value < recommended) return 'warn';
  return 'pass';
}

/** A number of MiB or GiB in words, e.g. "6 GiB". */
export function formatMiB(mib: number): string {
  return mib >= 1024 ? `${Math.round((mib / 1024) * 10) / 10} GiB` : `${Math.round(mib)} MiB`;
}
