import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { LabSnapshot, LabSummary } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { useAppStore } from '../../store/store-context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { snapshotBlockedReason } from './etcd-snapshot-view';

/**
 * Lab snapshots: every VM of the lab at one moment (libvirt snapshots, Hyper-V checkpoints). Take
 * one (its progress is the lab's operation above), revert to one behind a confirmation that says
 * what is lost, delete one.
 */
export function LabSnapshots({ lab }: { lab: LabSummary }) {
  const { list, action, error } = useAppStore(
    useShallow((state) => ({
      list: state.labSnapshotLists[lab.name],
      action: state.labSnapshotActions[lab.name],
      error: state.labSnapshotErrors[lab.name],
    })),
  );
  const actions = useAppStore(
    useShallow((state) => ({
      load: state.loadLabSnapshots,
      save: state.saveLabSnapshot,
      remove: state.deleteLabSnapshot,
      dismiss: state.dismissLabSnapshotError,
    })),
  );
  const [reverting, setReverting] = useState<LabSnapshot>();
  const { load } = actions;
  // A list being read again (after each operation of the lab) blocks nothing: only a call that changes something does.
  const changing = action === 'loading' ? undefined : action;
  // The list is read again whenever an operation of the lab ends (a snapshot adds one).
  const finished = lab.status === 'running' ? 'running' : (lab.operation?.finishedAt ?? lab.status);
  useEffect(() => {
    void load(lab.name);
  }, [lab.name, finished, load]);

  const blocked = snapshotBlockedReason(lab);
  // A revert also brings back a lab whose last operation failed; only a running operation stops it.
  const revertBlocked = lab.status === 'running' ? blocked : undefined;
  const busy = lab.status === 'running' && lab.operation?.kind === 'lab-snapshot';
  const columns: Column<LabSnapshot>[] = [
    { header: 'Snapshot', rowHeader: true, cell: (snapshot) => <code>{snapshot.name}</code> },
    { header: 'Taken', cell: (snapshot) => new Date(snapshot.takenAt).toLocaleString() },
    {
      header: 'VMs',
      cell: (snapshot) => (
        <>
          {snapshot.machines.length}
          {!snapshot.complete && <span className="muted"> · not on every VM: cannot be reverted to</span>}
        </>
      ),
    },
    {
      header: 'Actions',
      headerHidden: true,
      cell: (snapshot) => (
        <>
          <button
            type="button"
            className="button"
            disabled={revertBlocked !== undefined || changing !== undefined || !snapshot.complete}
            onClick={() => setReverting(snapshot)}
          >
            Revert…
          </button>
          <button
            type="button"
            className="button button-quiet"
            disabled={blocked !== undefined || changing !== undefined}
            onClick={() => void actions.remove(lab.name, snapshot.name)}
          >
            {action === 'deleting' ? 'Deleting…' : 'Delete'}
          </button>
        </>
      ),
    },
  ];
  return (
    <section className="card-section" aria-labelledby={`lab-vm-snapshots-${lab.name}`} data-testid="lab-snapshots">
      <h3 id={`lab-vm-snapshots-${lab.name}`}>Lab snapshots</h3>
      {error && (
        <Banner tone="error" onDismiss={() => actions.dismiss(lab.name)}>
          {error.message}
        </Banner>
      )}
      {list?.supported === false ? (
        <p className="muted">{list.reason}</p>
      ) : (
        <>
          <div className="lab-section-form">
            <button
              type="button"
              className="button button-primary"
              disabled={blocked !== undefined || changing !== undefined}
              onClick={() => void actions.save(lab.name)}
            >
              {action === 'saving' || busy ? 'Taking lab snapshot…' : 'Take lab snapshot'}
            </button>
            {blocked && <span className="muted">{blocked}</span>}
          </div>
          <p className="muted">
            Every VM is paused, so the whole cluster is snapshotted at one moment with its memory, then resumed. Reverting puts every VM
            back to that moment in seconds.
          </p>
          {list && list.snapshots.length === 0 && <p className="muted">No lab snapshots yet.</p>}
          {list && list.snapshots.length > 0 && (
            <DataTable
              compact
              caption={`Lab snapshots of ${lab.name}`}
              columns={columns}
              rows={[...list.snapshots].reverse()}
              rowKey={(snapshot) => snapshot.name}
              rowAttributes={(snapshot) => ({ 'data-lab-snapshot': snapshot.name })}
            />
          )}
        </>
      )}
      {reverting && <RevertDialog lab={lab} snapshot={reverting} onClose={() => setReverting(undefined)} />}
    </section>
  );
}

function RevertDialog({ lab, snapshot, onClose }: { lab: LabSummary; snapshot: LabSnapshot; onClose: () => void }) {
  const revert = useAppStore((state) => state.revertLabSnapshot);
  return (
    <ConfirmDialog
      title={`Revert ${lab.name} to ${snapshot.name}?`}
      confirm="Revert"
      tone="danger"
      className="lab-restore-dialog"
      onConfirm={() => revert(lab.name, snapshot.name)}
      onClose={onClose}
    >
      <p>
        Every VM of the lab goes back to {new Date(snapshot.takenAt).toLocaleString()}: its disks and its memory. Everything done in the
        cluster and on the VMs since then is lost. The VMs then run again together and Nestlab waits for the nodes.
      </p>
    </ConfirmDialog>
  );
}
