import { useId, useState, type FormEvent } from 'react';
import type { AffectedContext, ClashResolution, ClusterContext, NameClash } from '../../../shared/contract';
import {
  blockingReason,
  needsConfirmation,
  resolutionOf,
  suggestName,
  takenNames,
  type ClashFormState,
  type Choice,
} from './clash-choices';

/**
 * Every clash shown with its two sources; the user picks keep, replace or rename for each. Each
 * choice says which contexts it changes and where their credentials would go; one that sends
 * credentials to a server they were not imported with needs its own tick.
 */
export function ClashResolver({
  clashes,
  contexts,
  onResolve,
  onCancel,
}: {
  clashes: NameClash[];
  /** The contexts Nestlab has, for names that are taken. */
  contexts: readonly ClusterContext[];
  onResolve: (resolutions: ClashResolution[]) => void;
  onCancel: () => void;
}) {
  const key = (clash: NameClash) => `${clash.kind}/${clash.name}`;
  const taken = takenNames(contexts);
  for (const clash of clashes) taken[clash.kind].add(clash.name);
  const [edits, setEdits] = useState<Record<string, Partial<ClashFormState>>>({});
  const stateOf = (clash: NameClash): ClashFormState => ({
    choice: 'rename',
    newName: suggestName(clash.name, taken[clash.kind]),
    confirmed: false,
    ...edits[key(clash)],
  });
  const edit = (clash: NameClash, change: Partial<ClashFormState>) =>
    setEdits({ ...edits, [key(clash)]: { ...edits[key(clash)], ...change } });
  const reason = blockingReason(clashes, stateOf, taken);
  const reasonId = useId();

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (reason !== undefined) return;
    onResolve(clashes.map((clash) => resolutionOf(clash, stateOf(clash))));
  }

  return (
    <form className="clash-resolver" onSubmit={onSubmit} aria-labelledby="clash-heading">
      <h3 id="clash-heading">Names already in use</h3>
      <p className="muted">
        Nothing was imported yet. Choose what happens to each entry with a name that is already taken by something different.
      </p>
      {clashes.map((clash) => {
        const id = key(clash);
        const state = stateOf(clash);
        const choose = (choice: Choice) => edit(clash, { choice, confirmed: false });
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
              <input type="radio" name={id} checked={state.choice === 'rename'} onChange={() => choose('rename')} /> Import the new one as{' '}
              <input
                aria-label={`New name for ${clash.kind} ${clash.name}`}
                className="inline-input"
                value={state.newName}
                onFocus={() => state.choice !== 'rename' && choose('rename')}
                onChange={(event) => edit(clash, { newName: event.target.value })}
                spellCheck={false}
              />{' '}
              <span className="muted">(changes nothing that exists)</span>
            </label>
            {(['replace', 'keep-existing'] as const).map((choice) => (
              <div key={choice} className="clash-choice">
                <label>
                  <input type="radio" name={id} checked={state.choice === choice} onChange={() => choose(choice)} />{' '}
                  {choice === 'replace' ? 'Replace the existing one' : "Keep the existing one (kubectl's rule: the first definition wins)"}
                </label>
                <Effects effects={clash.effects[choice]} />
                {state.choice === choice && needsConfirmation(clash, choice) && (
                  <label className="clash-confirm">
                    <input
                      type="checkbox"
                      checked={state.confirmed}
                      onChange={(event) => edit(clash, { confirmed: event.target.checked })}
                    />{' '}
                    Send these credentials to {serversOf(clash.effects[choice])}, a server they were not imported with
                  </label>
                )}
              </div>
            ))}
          </fieldset>
        );
      })}
      <div className="form-actions">
        <button
          type="submit"
          className="button button-primary"
          disabled={reason !== undefined}
          aria-describedby={reason === undefined ? undefined : reasonId}
        >
          Import with these choices
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {reason !== undefined && (
        <p id={reasonId} className="field-error" role="status">
          {reason}
        </p>
      )}
    </form>
  );
}

/** The contexts a choice changes, each with its server and whose credentials it would send there. */
function Effects({ effects }: { effects: AffectedContext[] }) {
  if (effects.length === 0) return <p className="muted clash-effects">Changes no context.</p>;
  return (
    <ul className="plain-list clash-effects">
      {effects.map((effect) => (
        <li key={effect.context} className={effect.otherServer ? 'clash-effect-warning' : undefined}>
          {effect.existing ? 'Changes' : 'Adds'} context <strong>{effect.context}</strong>: it would send the credentials of user{' '}
          <strong>{effect.user}</strong> from {effect.credentialsFrom} to <code>{effect.server}</code>
          {effect.otherServer && <strong>, a server they were not imported with</strong>}.
        </li>
      ))}
    </ul>
  );
}

function serversOf(effects: AffectedContext[]): string {
  return [...new Set(effects.filter((effect) => effect.otherServer).map((effect) => effect.server))].join(', ');
}
