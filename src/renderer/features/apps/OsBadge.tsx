import type { TargetOs } from '../../../shared/contract';

/** The OS an app's pods land on, in words. */
export function OsBadge({ os }: { os: TargetOs }) {
  return <span className={`badge ${os === 'windows' ? 'badge-accent' : 'badge-neutral'}`}>{os === 'windows' ? 'Windows' : 'Linux'}</span>;
}
