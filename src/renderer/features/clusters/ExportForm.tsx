import { useId, useState, type FormEvent } from 'react';
import { useAppStore } from '../../store/store-context';
import { ownEntry } from './clusters-slice';

/** Write one context into ~/.kube/config or another file, for kubectl. */
export function ExportForm({ context }: { context: string }) {
  const result = useAppStore((state) => ownEntry(state.exportResults, context));
  const exportContext = useAppStore((state) => state.exportContext);
  const [path, setPath] = useState('');
  const id = useId();

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void exportContext(context, path, false);
  }

  return (
    <form className="card-section export-form" onSubmit={onSubmit}>
      <div className="field">
        <label htmlFor={id}>Export to file</label>
        <div className="field-input">
          <input id={id} value={path} placeholder="~/.kube/config" spellCheck={false} onChange={(event) => setPath(event.target.value)} />
          <button type="submit" className="button">
            Export
          </button>
        </div>
        <p className="field-hint">Merged into the file; the previous version is kept beside it as a backup.</p>
      </div>
      <div role="status">
        {result?.status === 'written' && (
          <p className="form-status">
            Written to {result.path}
            {result.backupPath ? ` (previous file kept as ${result.backupPath})` : ''}.
          </p>
        )}
      </div>
      {result?.status === 'conflict' && (
        <div className="inline-alert" role="alert">
          <p>
            {result.path} already has different entries named{' '}
            {result.conflicts.map((conflict) => `${conflict.kind} "${conflict.name}"`).join(', ')}. Nothing was written.
          </p>
          <button type="button" className="button" onClick={() => void exportContext(context, path, true)}>
            Replace them
          </button>
        </div>
      )}
      {result?.status === 'failed' && (
        <p className="field-error" role="alert">
          {result.error.message}
        </p>
      )}
    </form>
  );
}
