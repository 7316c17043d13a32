import { useEffect, useId, useState, type FormEvent } from 'react';
import type { KubectlShelfEntry } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { useAppStore } from '../../store/store-context';

const sourceLabels: Record<KubectlShelfEntry['source'], string> = {
  bundled: 'bundled with Nestlab',
  added: 'added here',
  path: 'first on PATH',
};

/**
 * The kubectl shelf: the versions a terminal chooses from (the one within one minor version of its
 * context's server), and adding one from a file on this computer. Nestlab never downloads kubectl.
 */
export function KubectlShelfPanel() {
  const shelf = useAppStore((state) => state.kubectlShelf);
  const error = useAppStore((state) => state.kubectlShelfError);
  const busy = useAppStore((state) => state.kubectlShelfBusy);
  const load = useAppStore((state) => state.loadKubectlShelf);
  const add = useAppStore((state) => state.addKubectl);
  const remove = useAppStore((state) => state.removeKubectl);
  const [path, setPath] = useState('');
  const pathId = useId();

  useEffect(() => {
    void load();
  }, [load]);

  const columns: Column<KubectlShelfEntry>[] = [
    { header: 'Version', cell: (entry) => entry.version },
    { header: 'From', cell: (entry) => sourceLabels[entry.source] },
    { header: 'Path', cell: (entry) => <code>{entry.path}</code> },
    {
      header: 'Actions',
      headerHidden: true,
      cell: (entry) =>
        entry.source === 'added' && (
          <button
            type="button"
            className="button button-quiet"
            disabled={busy}
            aria-label={`Remove kubectl ${entry.version}`}
            onClick={() => void remove(entry.path)}
          >
            Remove
          </button>
        ),
    },
  ];

  async function onAdd(event: FormEvent) {
    event.preventDefault();
    if (path.trim() === '') return;
    if (await add(path.trim())) setPath('');
  }

  return (
    <section className="card" aria-labelledby="kubectl-shelf-heading" data-testid="kubectl-shelf">
      <div className="card-header">
        <h2 id="kubectl-shelf-heading">kubectl versions</h2>
        <button type="button" className="button button-quiet" disabled={busy} onClick={() => void load()}>
          Check again
        </button>
      </div>
      <p className="muted">
        Each terminal on a cluster gets the kubectl within one minor version of that cluster&apos;s server (the skew kubectl supports), and
        its tab says which. Nestlab never downloads kubectl: add the versions your clusters need here.
      </p>
      {shelf && shelf.entries.length === 0 && <p className="muted">No kubectl yet: none is bundled, none was added and none is on PATH.</p>}
      {shelf && shelf.entries.length > 0 && (
        <DataTable
          caption="kubectl versions"
          columns={columns}
          rows={shelf.entries}
          rowKey={(entry) => entry.path}
          rowAttributes={() => ({ 'data-testid': 'kubectl-shelf-entry' })}
        />
      )}
      {shelf && shelf.problems.length > 0 && (
        <ul className="plain-list">
          {shelf.problems.map((problem) => (
            <li key={problem.path} className="field-error">
              {problem.path} {problem.reason}
            </li>
          ))}
        </ul>
      )}
      <form className="field" onSubmit={(event) => void onAdd(event)}>
        <label htmlFor={pathId}>Add a kubectl from a file</label>
        <div className="field-input">
          <input
            id={pathId}
            value={path}
            placeholder="/path/to/kubectl or an offline bundle folder"
            spellCheck={false}
            onChange={(event) => setPath(event.target.value)}
          />
          <button type="submit" className="button button-primary" disabled={busy || path.trim() === ''}>
            Add kubectl
          </button>
        </div>
        <p className="field-hint">Nestlab runs it (kubectl version --client) and keeps a copy in its data folder.</p>
      </form>
      {error && <Banner tone="error">{error.message}</Banner>}
    </section>
  );
}
