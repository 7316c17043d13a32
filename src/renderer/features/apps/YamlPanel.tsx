import { useState } from 'react';
import type { ObjectApplyResult } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';

function describe(result: ObjectApplyResult): string {
  const { kind, name, namespace } = result.object;
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/**
 * Custom YAML: paste or open a file, a server-side dry run first (per object), then apply.
 * Force is offered only after a conflict, naming the field managers it takes fields from.
 */
export function YamlPanel({ context }: { context: string }) {
  const yaml = useAppStore((state) => state.yaml);
  const runYaml = useAppStore((state) => state.runYaml);
  const [text, setText] = useState('');
  const [namespace, setNamespace] = useState('default');
  const request = { context, namespace, yaml: text };
  const done = yaml.phase === 'done' && yaml.text === text ? yaml.result : undefined;
  const dryRunPassed = done?.status === 'done' && done.dryRun && done.results.every((r) => r.outcome !== 'failed');
  const conflicts = done?.status === 'done' ? done.results.filter((r) => r.error?.code === 'CONFLICT') : [];
  const managers = [
    ...new Set(conflicts.flatMap((r) => (Array.isArray(r.error?.details?.managers) ? (r.error.details.managers as string[]) : []))),
  ];
  const running = yaml.phase === 'running';

  return (
    <section className="card yaml-panel" aria-labelledby="yaml-heading">
      <h2 id="yaml-heading">Custom YAML</h2>
      <p className="muted">Multi-document YAML, applied with server-side apply (field manager nestlab) after a dry run.</p>
      <div className="field">
        <label htmlFor="yaml-namespace">Namespace for objects that name none</label>
        <input id="yaml-namespace" value={namespace} onChange={(event) => setNamespace(event.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="yaml-text">YAML</label>
        <textarea
          id="yaml-text"
          className="yaml-editor"
          spellCheck={false}
          rows={14}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <input
          type="file"
          accept=".yaml,.yml,.json"
          aria-label="Open a YAML file"
          className="file-input"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void file.text().then(setText);
          }}
        />
      </div>
      <div className="form-actions">
        <button type="button" className="button" disabled={running || text.trim() === ''} onClick={() => void runYaml(request, 'dry-run')}>
          {running && yaml.dryRun ? 'Dry run…' : 'Dry run'}
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={running || !dryRunPassed}
          onClick={() => void runYaml(request, 'apply')}
        >
          Apply
        </button>
        {conflicts.length > 0 && (
          <button type="button" className="button button-danger" disabled={running} onClick={() => void runYaml(request, 'force-apply')}>
            Apply with force (take fields from {managers.join(', ') || 'other managers'})
          </button>
        )}
      </div>
      {!dryRunPassed && done?.status !== 'invalid' && text.trim() !== '' && !done && (
        <p className="field-hint">Apply is enabled once a dry run of this text passes.</p>
      )}
      <div aria-live="polite" className="yaml-results">
        {yaml.phase === 'failed' && <p className="field-error">{yaml.error.message}</p>}
        {done?.status === 'invalid' && (
          <ul className="plain-list">
            {done.problems.map((problem, index) => (
              <li key={index} className="field-error">
                Document {problem.document}, line {problem.line}, column {problem.column}: {problem.message}
              </li>
            ))}
          </ul>
        )}
        {done?.status === 'done' && (
          <table className="data-table">
            <caption>{done.dryRun ? 'Dry run (nothing written)' : 'Applied'}</caption>
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {done.results.map((result, index) => (
                <tr key={index}>
                  <td>{describe(result)}</td>
                  <td className={result.outcome === 'failed' ? 'field-error' : ''}>
                    {result.outcome === 'failed'
                      ? `${result.error?.code ?? 'failed'}: ${result.error?.message ?? ''}`
                      : done.dryRun
                        ? `would be ${result.outcome}`
                        : result.outcome}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
