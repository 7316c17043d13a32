import { Icon } from '../../components/Icon';
import type { StatusLabel } from './lab-progress';

/** A status in words with its icon; the colour only repeats what the words say. */
export function StatusBadge({ status, testId }: { status: StatusLabel; testId?: string }) {
  return (
    <span className={`badge badge-${status.tone} lab-status`} data-testid={testId}>
      <Icon name={status.icon} size={14} />
      {status.label}
    </span>
  );
}
