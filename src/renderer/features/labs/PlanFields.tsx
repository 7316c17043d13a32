/**
 * The plan form's field kinds. Each field has a stable id from its dotted plan path, a label, an
 * optional hint and its error right below it (tied with aria-describedby and aria-invalid).
 */
import type { ReactNode } from 'react';
import { fieldDescribedBy, FieldMessages } from '../../components/Field';

export function fieldId(path: string): string {
  return `lab-${path.replace(/[^a-zA-Z0-9]+/g, '-')}`;
}

/** The plan form moves focus to its first error: its errors are marked. */
function Hint({ id, hint, error }: { id: string; hint?: ReactNode; error?: string | undefined }) {
  return <FieldMessages id={id} hint={hint} error={error} markError />;
}

export interface TextFieldProps {
  path: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: ReactNode;
  placeholder?: string;
  inputMode?: 'numeric' | 'url';
  narrow?: boolean;
  /** Suggestions (a <datalist>); any value is still accepted. */
  suggestions?: readonly string[];
  disabled?: boolean;
}

export function TextField({
  path,
  label,
  value,
  onChange,
  error,
  hint,
  placeholder,
  inputMode,
  narrow,
  suggestions,
  disabled,
}: TextFieldProps) {
  const id = fieldId(path);
  return (
    <div className="field" data-field={path}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className={narrow ? 'lab-input-narrow' : undefined}
        value={value}
        placeholder={placeholder}
        inputMode={inputMode}
        spellCheck={false}
        autoComplete="off"
        disabled={disabled}
        list={suggestions ? `${id}-list` : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={fieldDescribedBy(id, error, hint)}
        onChange={(event) => onChange(event.target.value)}
      />
      {suggestions && (
        <datalist id={`${id}-list`}>
          {suggestions.map((suggestion) => (
            <option key={suggestion} value={suggestion} />
          ))}
        </datalist>
      )}
      <Hint id={id} hint={hint} error={error} />
    </div>
  );
}

export interface Option<T extends string> {
  value: T;
  label: string;
  /** Why the option cannot be chosen (it is shown disabled, with the reason in its label). */
  disabledReason?: string | undefined;
}

export function SelectField<T extends string>({
  path,
  label,
  value,
  options,
  onChange,
  error,
  hint,
}: {
  path: string;
  label: string;
  value: T;
  options: readonly Option<T>[];
  onChange: (value: T) => void;
  error?: string | undefined;
  hint?: ReactNode;
}) {
  const id = fieldId(path);
  return (
    <div className="field" data-field={path}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        className="select"
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={fieldDescribedBy(id, error, hint)}
        onChange={(event) => onChange(event.target.value as T)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value} disabled={option.disabledReason !== undefined}>
            {option.disabledReason ? `${option.label} (${option.disabledReason})` : option.label}
          </option>
        ))}
      </select>
      <Hint id={id} hint={hint} error={error} />
    </div>
  );
}

/** A small set of choices as a radio group (arrow keys move between them). */
export function ChoiceField<T extends string | number>({
  path,
  label,
  value,
  options,
  onChange,
  error,
  hint,
}: {
  path: string;
  label: string;
  value: T;
  options: readonly { value: T; label: string; disabledReason?: string | undefined }[];
  onChange: (value: T) => void;
  error?: string | undefined;
  hint?: string;
}) {
  const id = fieldId(path);
  const reasons = options.filter((option) => option.disabledReason).map((option) => option.disabledReason);
  return (
    <fieldset
      className="lab-choice"
      data-field={path}
      aria-describedby={fieldDescribedBy(id, error, hint)}
      aria-invalid={error ? true : undefined}
    >
      <legend>{label}</legend>
      <div className="segmented" role="radiogroup" aria-label={label}>
        {options.map((option) => (
          <label key={String(option.value)} className={`segment ${option.disabledReason ? 'segment-disabled' : ''}`}>
            <input
              type="radio"
              name={id}
              value={String(option.value)}
              checked={value === option.value}
              disabled={option.disabledReason !== undefined}
              onChange={() => onChange(option.value)}
            />
            {option.label}
          </label>
        ))}
      </div>
      <Hint id={id} hint={[hint, ...reasons].filter(Boolean).join(' ') || undefined} error={error} />
    </fieldset>
  );
}

/**
 * A count as a native range input (arrow keys, Page Up/Down, Home/End) with the number beside
 * it. Disabled counts say why in their hint.
 */
export function CountSlider({
  path,
  label,
  value,
  max,
  onChange,
  error,
  hint,
  disabledReason,
  unit,
}: {
  path: string;
  label: string;
  value: number;
  max: number;
  onChange: (value: number) => void;
  error?: string | undefined;
  hint?: ReactNode;
  disabledReason?: string | undefined;
  /** "Linux workers" for the spoken value. */
  unit: string;
}) {
  const id = fieldId(path);
  const shownHint = disabledReason ?? hint;
  return (
    <div className="field lab-count" data-field={path}>
      <label htmlFor={id}>{label}</label>
      <div className="range-field">
        <input
          id={id}
          type="range"
          min={0}
          max={max}
          step={1}
          value={disabledReason ? 0 : value}
          disabled={disabledReason !== undefined}
          aria-valuetext={`${disabledReason ? 0 : value} ${unit}`}
          aria-invalid={error ? true : undefined}
          aria-describedby={fieldDescribedBy(id, error, shownHint)}
          onChange={(event) => onChange(Number(event.target.value))}
        />
        <output htmlFor={id} className="range-value" data-testid={`${id}-value`}>
          {disabledReason ? 0 : value}
        </output>
      </div>
      <Hint id={id} hint={shownHint} error={error} />
    </div>
  );
}
