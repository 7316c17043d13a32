import { useId, useState, type ChangeEvent, type FormEvent } from 'react';
import type { ClusterContext } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import { useAppStore } from '../../store/store-context';
import { ClashResolver } from './ClashResolver';

/** Kubeconfigs are kilobytes; the main process refuses more than this too, this just says it sooner. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

const noContexts: ClusterContext[] = [];

/** Import by file picker (text read here), by path (read by the main process), or from ~/.kube/config. */
export function ImportPanel() {
  const status = useAppStore((state) => state.importStatus);
  const defaults = useAppStore((state) => state.defaultKubeconfig);
  const importKubeconfig = useAppStore((state) => state.importKubeconfig);
  const dismiss = useAppStore((state) => state.dismissImport);
  const contexts = useAppStore((state) => state.clusters?.contexts ?? noContexts);
  const [path, setPath] = useState('');
  const [pickError, setPickError] = useState<string | undefined>();
  const pathId = useId();
  const fileId = useId();
  const busy = status.phase === 'importing';

  async function onPick(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    setPickError(undefined);
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setPickError(`${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MB; a kubeconfig is a few kilobytes. Choose the right file.`);
      return;
    }
    await importKubeconfig({ kind: 'text', text: await file.text(), label: file.name });
  }

  function onSubmitPath(event: FormEvent) {
    event.preventDefault();
    if (path.trim() === '') return;
    void importKubeconfig({ kind: 'files', paths: [path.trim()] });
  }

  const defaultCount = defaults?.contexts.length ?? 0;
  return (
    <section className="card clusters-import" aria-labelledby="import-heading">
      <div className="card-header">
        <h2 id="import-heading">Add clusters from a kubeconfig</h2>
      </div>
      <p className="muted">
        Nestlab keeps its own copy of the credentials (secrets encrypted), so the cluster keeps working if the file moves. Credential
        plugins never run on import.
      </p>
      <div className="clusters-import-ways">
        <form className="field" onSubmit={onSubmitPath}>
          <label htmlFor={pathId}>Kubeconfig path</label>
          <div className="field-input">
            <input
              id={pathId}
              value={path}
              placeholder="~/.kube/config"
              spellCheck={false}
              onChange={(event) => setPath(event.target.value)}
            />
            <button type="submit" className="button button-primary" disabled={busy || path.trim() === ''}>
              Import path
            </button>
          </div>
          <p className="field-hint">Relative certificate paths are read from the file&apos;s folder, as kubectl does.</p>
        </form>
        <div className="field">
          <label htmlFor={fileId}>Or choose a file</label>
          <input id={fileId} className="file-input" type="file" disabled={busy} onChange={(event) => void onPick(event)} />
        </div>
        {defaultCount > 0 && defaults && (
          <div className="field">
            <span className="field-label">From your environment</span>
            <button
              type="button"
              className="button"
              disabled={busy}
              onClick={() => void importKubeconfig({ kind: 'default' })}
              title={defaults.paths.join(', ')}
            >
              Import {defaultCount} {defaultCount === 1 ? 'context' : 'contexts'} from{' '}
              {defaults.paths.length === 1 ? defaults.paths[0] : '$KUBECONFIG'}
            </button>
          </div>
        )}
      </div>
      <div role="status" className="form-status-line">
        {busy && 'Importing…'}
        {status.phase === 'done' && `Imported ${status.imported.length === 1 ? 'context' : 'contexts'} ${status.imported.join(', ')}.`}
      </div>
      {pickError && <Banner tone="error">{pickError}</Banner>}
      {status.phase === 'done' && status.notices.length > 0 && (
        <Banner tone="info" onDismiss={dismiss}>
          <ul className="plain-list">
            {status.notices.map((notice) => (
              <li key={notice}>{notice}</li>
            ))}
          </ul>
        </Banner>
      )}
      {status.phase === 'failed' && (
        <Banner tone="error" onDismiss={dismiss}>
          {status.problems.length > 0 ? (
            <>
              <strong>Nothing was imported: {status.problems.length === 1 ? 'one problem' : `${status.problems.length} problems`}.</strong>
              <ul className="plain-list problem-list">
                {status.problems.map((problem, index) => (
                  <li key={index}>
                    <span className="muted">
                      {problem.source}
                      {problem.line !== undefined && `:${problem.line}:${problem.column ?? 1}`}
                    </span>{' '}
                    {problem.message}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            status.error.message
          )}
        </Banner>
      )}
      {status.phase === 'clashes' && (
        <ClashResolver
          clashes={status.clashes}
          contexts={contexts}
          onResolve={(resolutions) => void importKubeconfig(status.source, [...status.resolved, ...resolutions])}
          onCancel={dismiss}
        />
      )}
    </section>
  );
}
