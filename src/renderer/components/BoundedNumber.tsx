/**
 * A whole number from 1 to `max` inside its sentence ("Keep on the host [5] snapshots"): what is
 * typed is kept within the bounds (empty or not a number counts as 1).
 */
export function BoundedNumber({
  before,
  after,
  max,
  value,
  onChange,
}: {
  before: string;
  after: string;
  max: number;
  value: number;
  onChange: (value: number) => void;
}) {
  return (
    <label>
      {before}{' '}
      <input
        type="number"
        min={1}
        max={max}
        value={value}
        onChange={(event) => onChange(Math.max(1, Math.min(max, Number(event.target.value) || 1)))}
      />{' '}
      {after}
    </label>
  );
}
