import { useShallow } from 'zustand/react/shallow';
import { sameDraft } from './apps-slice';
import { useAppStore } from '../../store/store-context';
import { YamlResults } from './YamlResults';

/**
 * Custom YAML: paste or open a file, a server-side dry run first (per object), then apply.
 * The draft and a running operation live in the store, so leaving the view loses neither.
 * Force is offered only after a conflict, naming the field managers it takes fields from.
 */
export function YamlPanel({ context }: { context: string }) {
  const { yaml, draft } = useAppStore(useShallow((state) => ({ yaml: state.yaml, draft: state.yamlDraft })));
  const runYaml = useAppStore((state) => state.runYaml);
  const cancelYaml = useAppStore((state) => state.cancelYaml);
  const edit = useAppStore((state) => state.editYamlDraft);
  const current = yaml.phase === 'done' || yaml.phase === 'failed' ? sameDraft(yaml.run.draft, draft) : false;
  // A result is shown beside the text it was run on; an apply's outcome is shown even after an edit.
  const done = yaml.phase === 'done' && (current || !yaml.run.dryRun) ? yaml.result : undefined;
  const failures = done?.status === 'done' ? done.results.filter((r) => r.outcome === 'failed') : [];
  const dryRunPassed = current && done?.status === 'done' && done.dryRun && !done.cancelled && failures.length === 0;
  const conflicts = failures.filter((r) => r.error?.code === 'CONFLICT');
  const managers = [
    ...new Set(conflicts.flatMap((r) => (Array.isArray(r.error?.details?.managers) ? (r.error.details.managers as string[]) : []))),
  ];
  const running = yaml.phase === 'running' ? yaml : undefined;
  const missing = done?.status === 'done' ? done.missingNamespaces : [];

  let applyHint: string | undefined;
  if (running || draft.text.trim() === '') applyHint = undefined;
  else if (!done) applyHint = 'Apply is enabled once a dry run of this text passes.';
  else if (done.status === 'invalid')
    applyHint = 'Apply is enabled once the YAML reads cleanly and a dry run passes: fix the lines named below.';
  else if (done.cancelled) applyHint = 'The last run was cancelled: run the dry run again to enable Apply.';
  else if (done.dryRun && failures.length > 0) {
    applyHint = `Apply is enabled once the dry run passes: ${failures.length.toLocaleString('en-US')} object${failures.length === 1 ? '' : 's'} failed (below).`;
  } else if (!done.dryRun) applyHint = 'Applied. Edit the text and run a dry run to apply again.';

  return (
    <section className="card yaml-panel" aria-labelledby="yaml-heading">
      <h2 id="yaml-heading">Custom YAML</h2>
      <p className="muted">
        Multi-document YAML as for <code>kubectl apply -f</code>, applied with server-side apply (field manager nestlab) after a dry run.
        Namespaces go first.
      </p>
      <div className="field">
        <label htmlFor="yaml-namespace">Namespace for objects that name none</label>
        <input id="yaml-namespace" value={draft.namespace} onChange={(event) => edit({ namespace: event.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="yaml-text">YAML</label>
        <textarea
          id="yaml-text"
          className="yaml-editor"
          spellCheck={false}
          rows={14}
          value={draft.text}
          onChange={(event) => edit({ text: event.target.value })}
        />
        <input
          type="file"
          accept=".yaml,.yml,.json"
          aria-label="Open a YAML file"
          className="file-input"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void file.text().then((text) => edit({ text }));
          }}
        />
      </div>
      {draft.createNamespaces.length > 0 && (
        <p className="field-hint" data-testid="yaml-create-namespaces">
          Created first: namespace {draft.createNamespaces.join(', ')}.{' '}
          <button type="button" className="button button-quiet" disabled={!!running} onClick={() => edit({ createNamespaces: [] })}>
            Do not create
          </button>
        </p>
      )}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={!!running || draft.text.trim() === ''}
          onClick={() => void runYaml(context, 'dry-run')}
        >
          {running?.run.dryRun ? 'Dry run…' : 'Dry run'}
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={!!running || !dryRunPassed}
          onClick={() => void runYaml(context, 'apply')}
        >
          {running && !running.run.dryRun ? 'Applying…' : 'Apply'}
        </button>
        {conflicts.length > 0 && (
          <button type="button" className="button button-danger" disabled={!!running} onClick={() => void runYaml(context, 'force-apply')}>
            Apply with force (take fields from {managers.join(', ') || 'other managers'})
          </button>
        )}
        {running && (
          <button type="button" className="button button-quiet" disabled={running.cancelling} onClick={() => void cancelYaml()}>
            {running.cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      {applyHint && <p className="field-hint">{applyHint}</p>}
      <div aria-live="polite" className="yaml-results">
        {running && (
          <div className="yaml-progress">
            <progress
              aria-label={running.run.dryRun ? 'Dry run progress' : 'Apply progress'}
              max={running.progress?.total ?? 1}
              value={running.progress?.done ?? 0}
            />
            <p className="form-status" data-testid="yaml-progress">
              {running.run.dryRun ? 'Dry run' : 'Applying'}
              {running.progress
                ? `: ${running.progress.done.toLocaleString('en-US')} of ${running.progress.total.toLocaleString('en-US')}`
                : '…'}
              {running.progress?.current &&
                ` · ${running.progress.current.kind} ${running.progress.current.namespace ? `${running.progress.current.namespace}/` : ''}${running.progress.current.name}`}
            </p>
          </div>
        )}
        {yaml.phase === 'failed' && current && <p className="field-error">{yaml.error.message}</p>}
        {done?.status === 'invalid' && (
          <ul className="plain-list">
            {done.problems.map((problem, index) => (
              <li key={index} className="field-error">
                Document {problem.document}, line {problem.line}, column {problem.column}: {problem.message}
              </li>
            ))}
          </ul>
        )}
        {missing.length > 0 && (
          <div className="yaml-missing-namespaces">
            {missing.map((namespace) => (
              <p key={namespace} className="field-error">
                Namespace {namespace} does not exist.{' '}
                <button
                  type="button"
                  className="button"
                  onClick={() => {
                    edit({ createNamespaces: [...new Set([...draft.createNamespaces, namespace])] });
                    void runYaml(context, 'dry-run');
                  }}
                >
                  Create namespace {namespace}
                </button>
              </p>
            ))}
          </div>
        )}
        {done?.status === 'done' && <YamlResults result={done} />}
      </div>
    </section>
  );
}
