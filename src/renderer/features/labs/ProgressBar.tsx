/** A labelled progress bar (role=progressbar, 0..100 %) in the look of the apps view's rollout bar. */
export function ProgressBar({ value, label, tone }: { value: number; label: string; tone: 'ok' | 'busy' | 'bad' | 'neutral' }) {
  const percent = Math.round(Math.min(1, Math.max(0, value)) * 100);
  return (
    <div
      className="rollout-bar lab-bar"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent}%`}
    >
      <div className={`rollout-fill lab-fill-${tone}`} style={{ width: `${percent}%` }} />
    </div>
  );
}
