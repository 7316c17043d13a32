import type { CheckStatus } from '../../../shared/contract/hosts';

/** The report's types live in the contract; re-exported here for the probe and check modules. */
export type { CheckStatus, HostCapacity, PreflightCheck, PreflightReport } from '../../../shared/contract/hosts';

/** Limits the checks compare against; a lab plan may pass stricter ones. */
export interface PreflightThresholds {
  minCpus: number;
  recommendedCpus: number;
  minMemoryMiB: number;
  recommendedMemoryMiB: number;
  minDiskGiB: number;
  recommendedDiskGiB: number;
  /**
   * Lab VMs must run hypervisors of their own, so kvm's nested=N fails. Otherwise (the default:
   * lab VMs run no hypervisor) nested=N is a note.
   */
  requireNestedVirtualization: boolean;
}

export const defaultThresholds: PreflightThresholds = {
  minCpus: 4,
  recommendedCpus: 8,
  minMemoryMiB: 16 * 1024,
  recommendedMemoryMiB: 32 * 1024,
  minDiskGiB: 100,
  recommendedDiskGiB: 250,
  requireNestedVirtualization: false,
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
