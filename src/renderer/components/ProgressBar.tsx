import type { StatusTone } from './StatusBadge';
import './progress-bar.css';

/**
 * A labelled progress bar (role=progressbar). `value` is a fraction of 1, announced in per cent;
 * with `max` it is a count instead (ready replicas of the desired ones), announced as "3 of 5".
 * `indeterminate`: work that runs without saying how far it is (waiting for a guest's SSH and
 * cloud-init): a moving stripe, and no value announced (ARIA's indeterminate progress bar).
 */
export function ProgressBar({
  value,
  max,
  label,
  tone,
  indeterminate = false,
}: {
  value: number;
  max?: number;
  label: string;
  tone: Exclude<StatusTone, 'accent'>;
  indeterminate?: boolean;
}) {
  if (indeterminate) {
    return (
      <div className="progress-bar" role="progressbar" aria-label={label} aria-valuetext="in progress">
        <div className={`progress-fill progress-fill-${tone} progress-fill-indeterminate`} />
      </div>
    );
  }
  const fraction = max === undefined ? value : max === 0 ? 1 : value / max;
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <div
      className="progress-bar"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max ?? 100}
      aria-valuenow={max === undefined ? percent : value}
      aria-valuetext={max === undefined ? `${percent}%` : `${value} of ${max}`}
    >
      <div className={`progress-fill progress-fill-${tone}`} style={{ width: `${percent}%` }} />
    </div>
  );
}
