/** Apply, Reset and what applying would do: the foot of both node-pool forms. */
export function PoolFormActions({
  blocked,
  changed,
  applying,
  busy,
  onReset,
  changes,
  idleHint,
}: {
  /** Why Apply cannot run, shown instead of the summary. */
  blocked: string | undefined;
  changed: boolean;
  applying: boolean;
  /** Another action of the lab is running. */
  busy: boolean;
  onReset: () => void;
  /** What applying would do, one entry per kind of change ('' for none). */
  changes: string[];
  idleHint: string;
}) {
  return (
    <div className="form-actions">
      <button type="submit" className="button button-primary" disabled={blocked !== undefined || !changed || busy}>
        {applying ? 'Applying…' : 'Apply'}
      </button>
      {changed && (
        <button type="button" className="button button-quiet" onClick={onReset}>
          Reset
        </button>
      )}
      <span className="field-hint" aria-live="polite">
        {blocked ?? (changed ? changes.filter(Boolean).join('; ') : idleHint)}
      </span>
    </div>
  );
}
