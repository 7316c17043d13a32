import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { EtcdSnapshot, LabSummary } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { useAppStore } from '../../store/store-context';
import { BoundedNumber } from '../../components/BoundedNumber';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { formatSnapshotSize, restoreStepTexts, snapshotBlockedReason } from './etcd-snapshot-view';

/**
 * etcd snapshots of a lab: take one (its progress is the lab's operation above), the list with
 * each snapshot's status as etcdctl read it, and a restore behind a confirmation that says what
 * happens and what is lost.
 */
export function EtcdSnapshots({ lab }: { lab: LabSummary }) {
  const { list, action, error } = useAppStore(
    useShallow((state) => ({
      list: state.etcdSnapshotLists[lab.name],
      action: state.etcdSnapshotActions[lab.name],
      error: state.etcdSnapshotErrors[lab.name],
    })),
  );
  const actions = useAppStore(
    useShallow((state) => ({
      load: state.loadEtcdSnapshots,
      save: state.saveEtcdSnapshot,
      dismiss: state.dismissEtcdSnapshotError,
    })),
  );
  const [keep, setKeep] = useState(5);
  const [copy, setCopy] = useState(false);
  const [restoring, setRestoring] = useState<EtcdSnapshot>();
  const { load } = actions;
  // A list being read again (after each operation of the lab) blocks nothing: only a call that changes something does.
  const changing = action === 'loading' ? undefined : action;
  // The list is read again whenever an operation of the lab ends (a save adds one, a retention removes some).
  const finished = lab.status === 'running' ? 'running' : (lab.operation?.finishedAt ?? lab.status);
  useEffect(() => {
    void load(lab.name);
  }, [lab.name, finished, load]);

  const blocked = snapshotBlockedReason(lab);
  const busy = lab.status === 'running' && (lab.operation?.kind === 'etcd-snapshot' || lab.operation?.kind === 'etcd-restore');
  const columns: Column<EtcdSnapshot>[] = [
    { header: 'Snapshot', rowHeader: true, cell: (snapshot) => <code>{snapshot.name}</code> },
    {
      header: 'Taken',
      cell: (snapshot) => (
        <>
          {new Date(snapshot.takenAt).toLocaleString()} <span className="muted">on {snapshot.machine}</span>
        </>
      ),
    },
    { header: 'Revision', cell: (snapshot) => snapshot.revision ?? '–' },
    { header: 'Keys', cell: (snapshot) => snapshot.totalKeys ?? '–' },
    { header: 'Size', cell: (snapshot) => formatSnapshotSize(snapshot.sizeBytes) },
    { header: 'Hash', cell: (snapshot) => <code>{snapshot.hash ?? '–'}</code> },
    {
      header: 'On this computer',
      cell: (snapshot) => (snapshot.localCopy ? <code>{snapshot.localCopy}</code> : <span className="muted">no copy</span>),
    },
    {
      header: 'Actions',
      headerHidden: true,
      cell: (snapshot) => (
        <button
          type="button"
          className="button"
          disabled={blocked !== undefined || changing !== undefined}
          onClick={() => setRestoring(snapshot)}
        >
          Restore…
        </button>
      ),
    },
  ];
  return (
    <section className="card-section" aria-labelledby={`lab-snapshots-${lab.name}`} data-testid="etcd-snapshots">
      <h3 id={`lab-snapshots-${lab.name}`}>etcd snapshots</h3>
      {error && (
        <Banner tone="error" onDismiss={() => actions.dismiss(lab.name)}>
          {error.message}
        </Banner>
      )}
      {list?.supported === false ? (
        <p className="muted">{list.reason}</p>
      ) : (
        <>
          <form
            className="lab-section-form"
            onSubmit={(event) => {
              event.preventDefault();
              if (!blocked && action === undefined) void actions.save(lab.name, { keep, copyToComputer: copy });
            }}
          >
            <BoundedNumber before="Keep on the host" after="snapshots" max={100} value={keep} onChange={setKeep} />
            <label>
              <input type="checkbox" checked={copy} onChange={(event) => setCopy(event.target.checked)} /> Also copy to this computer
            </label>
            <button type="submit" className="button button-primary" disabled={blocked !== undefined || changing !== undefined}>
              {action === 'saving' || (busy && lab.operation?.kind === 'etcd-snapshot') ? 'Taking snapshot…' : 'Take snapshot'}
            </button>
            {blocked && <span className="muted">{blocked}</span>}
          </form>
          <p className="muted">
            A snapshot holds every object of the cluster, Secrets included, in plain text: it is kept in the lab’s folder on the host
            {list?.location ? (
              <>
                {' '}
                (<code>{list.location}</code>)
              </>
            ) : null}
            , readable by its SSH user only.
          </p>
          {list && list.snapshots.length === 0 && <p className="muted">No snapshots yet.</p>}
          {list && list.snapshots.length > 0 && (
            <DataTable
              compact
              caption={`etcd snapshots of ${lab.name}`}
              columns={columns}
              rows={[...list.snapshots].reverse()}
              rowKey={(snapshot) => snapshot.name}
              rowAttributes={(snapshot) => ({ 'data-snapshot': snapshot.name })}
            />
          )}
        </>
      )}
      {restoring && <RestoreDialog lab={lab} snapshot={restoring} onClose={() => setRestoring(undefined)} />}
    </section>
  );
}

function RestoreDialog({ lab, snapshot, onClose }: { lab: LabSummary; snapshot: EtcdSnapshot; onClose: () => void }) {
  const restore = useAppStore((state) => state.restoreEtcdSnapshot);
  return (
    <ConfirmDialog
      title={`Restore ${lab.name} to ${snapshot.name}?`}
      confirm="Restore"
      tone="danger"
      className="lab-restore-dialog"
      onConfirm={() => restore(lab.name, snapshot.name)}
      onClose={onClose}
    >
      <ol aria-label="What the restore does">
        {restoreStepTexts(lab, snapshot).map((text) => (
          <li key={text}>{text}</li>
        ))}
      </ol>
      <p>
        Everything changed in the cluster since {new Date(snapshot.takenAt).toLocaleString()} is lost, and the API is unavailable while it
        runs.
      </p>
    </ConfirmDialog>
  );
}
