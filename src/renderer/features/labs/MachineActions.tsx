import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { LabMachine, LabSummary } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../hosts/Dialog';
import { labStatus } from './lab-progress';
import { machineActionBlocked, machineOperationOf, machineWithoutNode } from './machine-action-view';
import { ProgressBar } from './ProgressBar';

/**
 * Maintain… and Resume for one machine's node, in the Labs view's machine list and the topology
 * map's details. Maintain asks first: what the drain does, its time limit, and whether pods with
 * emptyDir volumes may lose that data. The progress is the lab's operation.
 */
export function MachineActions({ lab, machine, cordoned }: { lab: LabSummary; machine: LabMachine; cordoned: boolean | undefined }) {
  const inFlight = useAppStore((state) => state.machineActionsInFlight[lab.name]);
  const run = useAppStore((state) => state.runMachineAction);
  const [maintaining, setMaintaining] = useState(false);
  if (machineWithoutNode(machine) !== undefined) return null;
  const blocked = machineActionBlocked(lab) ?? (inFlight === undefined ? undefined : 'Starting…');
  return (
    <span className="lab-machine-actions">
      <button
        type="button"
        className="button"
        disabled={blocked !== undefined}
        title={blocked}
        aria-label={`Maintain ${machine.name}…`}
        onClick={() => setMaintaining(true)}
      >
        Maintain…
      </button>
      {cordoned === true && (
        <button
          type="button"
          className="button"
          disabled={blocked !== undefined}
          title={blocked}
          aria-label={`Resume ${machine.name}`}
          onClick={() => void run(lab.name, machine.name, { action: 'resume' })}
        >
          {inFlight?.machine === machine.name && inFlight.action === 'resume' ? 'Resuming…' : 'Resume'}
        </button>
      )}
      {maintaining && <MaintainDialog lab={lab} machine={machine} onClose={() => setMaintaining(false)} />}
    </span>
  );
}

function MaintainDialog({ lab, machine, onClose }: { lab: LabSummary; machine: LabMachine; onClose: () => void }) {
  const run = useAppStore((state) => state.runMachineAction);
  const [timeout, setTimeoutSeconds] = useState(120);
  const [deleteEmptyDirData, setDeleteEmptyDirData] = useState(false);
  const [starting, setStarting] = useState(false);
  return (
    <Dialog title={`Maintain ${machine.name}?`} onClose={onClose} busy={starting} className="lab-maintain-dialog">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (starting) return;
          setStarting(true);
          void run(lab.name, machine.name, { action: 'maintain', drainTimeoutSeconds: timeout, deleteEmptyDirData }).then((started) =>
            started ? onClose() : setStarting(false),
          );
        }}
      >
        <ol aria-label="What Maintain does">
          <li>Cordon {machine.name}: no new pods are scheduled on it.</li>
          <li>
            Evict its pods through the eviction API, so PodDisruptionBudgets are honoured; DaemonSet and static pods stay. Their controllers
            start them on other nodes.
          </li>
          <li>Leave it cordoned for your maintenance. Resume uncordons it.</li>
        </ol>
        <label>
          Give up draining after{' '}
          <input
            type="number"
            min={1}
            max={3600}
            value={timeout}
            onChange={(event) => setTimeoutSeconds(Math.max(1, Math.min(3600, Number(event.target.value) || 1)))}
          />{' '}
          seconds
        </label>
        <label>
          <input type="checkbox" checked={deleteEmptyDirData} onChange={(event) => setDeleteEmptyDirData(event.target.checked)} /> Delete
          emptyDir data (pods with emptyDir volumes lose it; without this they stop the drain, named)
        </label>
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose} disabled={starting}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={starting}>
            {starting ? 'Starting…' : 'Cordon and drain'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The error of the last machine action that could not start, for the lab. */
export function MachineActionError({ lab }: { lab: string }) {
  const { error, dismiss } = useAppStore(
    useShallow((state) => ({ error: state.machineActionErrors[lab], dismiss: state.dismissMachineActionError })),
  );
  if (!error) return null;
  return (
    <Banner tone="error" onDismiss={() => dismiss(lab)}>
      {error.message}
    </Banner>
  );
}

/** The lab's operation on this machine, where the Labs view's progress is not shown (the topology map's details). */
export function MachineOperationProgress({ lab, machine }: { lab: LabSummary; machine: string }) {
  const operation = machineOperationOf(lab, machine);
  if (operation === undefined) return null;
  const running = operation.steps.find((step) => step.status === 'running');
  return (
    <div className="lab-machine-operation" data-testid="machine-operation">
      <ProgressBar
        value={operation.progress}
        label={`${machine}: ${labStatus(lab).label}`}
        tone={lab.status === 'failed' ? 'bad' : operation.progress >= 1 ? 'ok' : 'busy'}
      />
      <p role="status">
        {lab.status === 'ready'
          ? operation.kind === 'maintain'
            ? `${machine} is drained and stays cordoned.`
            : `${machine} is uncordoned.`
          : `${labStatus(lab).label}${running?.detail ? ` · ${running.detail}` : ''}`}
      </p>
      {operation.error && lab.status !== 'running' && <p className="diagnosis">{operation.error.message}</p>}
    </div>
  );
}
