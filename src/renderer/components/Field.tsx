/**
 * The parts every form field shares: a label tied to its control, an optional hint and the
 * field's error right below it, both named by the control's aria-describedby (and the error
 * makes it aria-invalid). Forms build their own controls inside {@link FieldShell}.
 */
import type { ReactNode } from 'react';

/** The ids of the hint and error paragraphs of field `id`, for aria-describedby; undefined when neither shows. */
export function fieldDescribedBy(id: string, error: string | undefined, hint: unknown): string | undefined {
  return [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
}

/**
 * The hint and the error of field `id`. `markError` tags the error with data-field-error, for a
 * form that moves focus to its first error.
 */
export function FieldMessages({
  id,
  hint,
  error,
  markError,
}: {
  id: string;
  hint?: ReactNode;
  error?: string | undefined;
  markError?: boolean;
}) {
  return (
    <>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`} data-field-error={markError ? true : undefined}>
          {error}
        </p>
      )}
    </>
  );
}

/** A labelled field around its control (`children`, whose id is `id`), with its hint and error. */
export function FieldShell({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      <FieldMessages id={id} hint={hint} error={error} />
    </div>
  );
}
