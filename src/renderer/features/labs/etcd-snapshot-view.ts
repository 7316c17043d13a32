import type { LabSummary } from '../../../shared/contract';

/** Why a snapshot cannot be taken or restored now, or undefined when it can. */
export function snapshotBlockedReason(lab: LabSummary): string | undefined {
  if (lab.status === 'running') return 'An operation is running: wait for it or cancel it.';
  if (lab.status !== 'ready') return 'Resume the lab first: its last operation did not finish.';
  return undefined;
}

/** Bytes as the list shows them: 20 kB, 4.2 MB, 1.3 GB (powers of 1000, as etcdctl prints sizes). */
export function formatSnapshotSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 || value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
