import type { TargetOs } from '../../../shared/contract';
import { StatusBadge } from '../../components/StatusBadge';

/** The OS an app's pods land on, in words. */
export function OsBadge({ os }: { os: TargetOs }) {
  return <StatusBadge tone={os === 'windows' ? 'accent' : 'neutral'}>{os === 'windows' ? 'Windows' : 'Linux'}</StatusBadge>;
}
