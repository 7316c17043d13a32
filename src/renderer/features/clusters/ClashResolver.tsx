import { useState, type FormEvent } from 'react';
import type { ClashResolution, NameClash } from '../../../shared/contract';

type Choice = 'keep-existing' | 'replace' | 'rename';

/** Every clash shown with its two sources; the user picks keep, replace or rename for each. */
export function ClashResolver({
  clashes,
  onResolve,
  onCancel,
}: {
  clashes: NameClash[];
  onResolve: (resolutions: ClashResolution[]) => void;
  onCancel: () => void;
}) {
  const key = (clash: NameClash) => `${clash.kind}/${clash.name}`;
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [names, setNames] = useState<Record<string, string>>({});
  const choiceOf = (clash: NameClash): Choice => choices[key(clash)] ?? 'rename';
  const nameOf = (clash: NameClash) => names[key(clash)] ?? `${clash.name}-2`;
  const invalid = clashes.some((clash) => choiceOf(clash) === 'rename' && !/^[^\s/\\]+$/.test(nameOf(clash)));

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (invalid) return;
    onResolve(
      clashes.map((clash): ClashResolution => {
        const action = choiceOf(clash);
        return action === 'rename'
          ? { kind: clash.kind, name: clash.name, action, newName: nameOf(clash) }
          : { kind: clash.kind, name: clash.name, action };
      }),
    );
  }

  return (
    <form className="clash-resolver" onSubmit={onSubmit} aria-labelledby="clash-heading">
      <h3 id="clash-heading">Names already in use</h3>
      <p className="muted">
        Nothing was imported yet. Choose what happens to each entry with a name that is already taken by something different.
      </p>
      {clashes.map((clash) => {
        const id = key(clash);
        return (
          <fieldset key={id} className="clash">
            <legend>
              {clash.kind} <strong>{clash.name}</strong>
              <span className="muted">
                {' '}
                in {clash.incomingSource}; already from {clash.existingSource}
              </span>
            </legend>
            <label>
              <input
                type="radio"
                name={id}
                checked={choiceOf(clash) === 'rename'}
                onChange={() => setChoices({ ...choices, [id]: 'rename' })}
              />{' '}
              Import the new one as{' '}
              <input
                aria-label={`New name for ${clash.kind} ${clash.name}`}
                className="inline-input"
                value={nameOf(clash)}
                onFocus={() => setChoices({ ...choices, [id]: 'rename' })}
                onChange={(event) => setNames({ ...names, [id]: event.target.value })}
                spellCheck={false}
              />
            </label>
            <label>
              <input
                type="radio"
                name={id}
                checked={choiceOf(clash) === 'replace'}
                onChange={() => setChoices({ ...choices, [id]: 'replace' })}
              />{' '}
              Replace the existing one
            </label>
            <label>
              <input
                type="radio"
                name={id}
                checked={choiceOf(clash) === 'keep-existing'}
                onChange={() => setChoices({ ...choices, [id]: 'keep-existing' })}
              />{' '}
              Keep the existing one (kubectl&apos;s rule: the first definition wins)
            </label>
          </fieldset>
        );
      })}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={invalid}>
          Import with these choices
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
