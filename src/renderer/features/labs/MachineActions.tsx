import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { LabMachine, LabOperationKind, LabSummary, MachineAction, MachineStatus } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import { useAppStore } from '../../store/store-context';
import { BoundedNumber } from '../../components/BoundedNumber';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { labStatus } from './lab-progress';
import { DrillTimeline } from './DrillTimeline';
import {
  machineActionBlocked,
  machineActionSteps,
  machineActionTitles,
  machineOperationOf,
  machineWithoutNode,
  powerActions,
} from './machine-action-view';
import { ProgressBar } from '../../components/ProgressBar';

type PowerAction = Exclude<MachineAction, 'maintain' | 'resume'>;

/**
 * A machine's day-2 actions, in the Labs view's machine list and the topology map's details:
 * Maintain… and Resume for its node; Start…, Stop…, Restart…, Recreate… and Simulate a failure…
 * for its VM, as its power state allows. Each asks first, saying what it will do; the progress is
 * the lab's operation.
 */
export function MachineActions({ lab, machine, status }: { lab: LabSummary; machine: LabMachine; status: MachineStatus | undefined }) {
  const inFlight = useAppStore((state) => state.machineActionsInFlight[lab.name]);
  const run = useAppStore((state) => state.runMachineAction);
  const [maintaining, setMaintaining] = useState(false);
  const [confirming, setConfirming] = useState<PowerAction | undefined>(undefined);
  const cordoned = status?.node?.unschedulable;
  const power = powerActions(lab, machine, status).filter((action): action is PowerAction => action !== 'maintain' && action !== 'resume');
  const hasNode = machineWithoutNode(machine) === undefined;
  if (!hasNode && power.length === 0) return null;
  const blocked = machineActionBlocked(lab) ?? (inFlight === undefined ? undefined : 'Starting…');
  return (
    <span className="lab-machine-actions">
      {hasNode && (
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
      )}
      {hasNode && cordoned === true && (
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
      {power.map((action) => (
        <button
          key={action}
          type="button"
          className="button"
          disabled={blocked !== undefined}
          title={blocked}
          aria-label={`${machineActionTitles[action].button.replace('…', '')} ${machine.name}…`}
          onClick={() => setConfirming(action)}
        >
          {machineActionTitles[action].button}
        </button>
      ))}
      {maintaining && <MaintainDialog lab={lab} machine={machine} onClose={() => setMaintaining(false)} />}
      {confirming !== undefined && (
        <PowerActionDialog lab={lab} machine={machine} action={confirming} onClose={() => setConfirming(undefined)} />
      )}
    </span>
  );
}

/** The drain's time limit and the emptyDir choice, as Maintain, Stop, Restart and Recreate ask them. */
function DrainFields({
  timeout,
  setTimeoutSeconds,
  deleteEmptyDirData,
  setDeleteEmptyDirData,
}: {
  timeout: number;
  setTimeoutSeconds: (seconds: number) => void;
  deleteEmptyDirData: boolean;
  setDeleteEmptyDirData: (value: boolean) => void;
}) {
  return (
    <>
      <BoundedNumber before="Give up draining after" after="seconds" max={3600} value={timeout} onChange={setTimeoutSeconds} />
      <label>
        <input type="checkbox" checked={deleteEmptyDirData} onChange={(event) => setDeleteEmptyDirData(event.target.checked)} /> Delete
        emptyDir data (pods with emptyDir volumes lose it; without this they stop the drain, named)
      </label>
    </>
  );
}

/** The confirmation of a power or recovery action: what it does, its drain limit or drill length. */
function PowerActionDialog({
  lab,
  machine,
  action,
  onClose,
}: {
  lab: LabSummary;
  machine: LabMachine;
  action: PowerAction;
  onClose: () => void;
}) {
  const run = useAppStore((state) => state.runMachineAction);
  const [timeout, setTimeoutSeconds] = useState(120);
  const [deleteEmptyDirData, setDeleteEmptyDirData] = useState(action === 'recreate');
  const [minutes, setMinutes] = useState(10);
  const drains = action === 'stop' || action === 'restart' || action === 'recreate';
  const title = machineActionTitles[action].button.replace('…', '');
  return (
    <ConfirmDialog
      title={`${title} ${machine.name}?`}
      confirm={machineActionTitles[action].confirm}
      className="lab-maintain-dialog"
      onConfirm={() =>
        run(lab.name, machine.name, {
          action,
          ...(drains ? { drainTimeoutSeconds: timeout, deleteEmptyDirData } : {}),
          ...(action === 'simulate-failure' ? { drillMinutes: minutes } : {}),
        })
      }
      onClose={onClose}
    >
      <ol aria-label={`What ${title} does`}>
        {machineActionSteps(action, machine.name).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ol>
      {drains && (
        <DrainFields
          timeout={timeout}
          setTimeoutSeconds={setTimeoutSeconds}
          deleteEmptyDirData={deleteEmptyDirData}
          setDeleteEmptyDirData={setDeleteEmptyDirData}
        />
      )}
      {action === 'simulate-failure' && (
        <BoundedNumber before="Watch for up to" after="minutes" max={60} value={minutes} onChange={setMinutes} />
      )}
    </ConfirmDialog>
  );
}

function MaintainDialog({ lab, machine, onClose }: { lab: LabSummary; machine: LabMachine; onClose: () => void }) {
  const run = useAppStore((state) => state.runMachineAction);
  const [timeout, setTimeoutSeconds] = useState(120);
  const [deleteEmptyDirData, setDeleteEmptyDirData] = useState(false);
  return (
    <ConfirmDialog
      title={`Maintain ${machine.name}?`}
      confirm="Cordon and drain"
      className="lab-maintain-dialog"
      onConfirm={() => run(lab.name, machine.name, { action: 'maintain', drainTimeoutSeconds: timeout, deleteEmptyDirData })}
      onClose={onClose}
    >
      <ol aria-label="What Maintain does">
        <li>Cordon {machine.name}: no new pods are scheduled on it.</li>
        <li>
          Evict its pods through the eviction API, so PodDisruptionBudgets are honoured; DaemonSet and static pods stay. Their controllers
          start them on other nodes.
        </li>
        <li>Leave it cordoned for your maintenance. Resume uncordons it.</li>
      </ol>
      <DrainFields
        timeout={timeout}
        setTimeoutSeconds={setTimeoutSeconds}
        deleteEmptyDirData={deleteEmptyDirData}
        setDeleteEmptyDirData={setDeleteEmptyDirData}
      />
    </ConfirmDialog>
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

/** What a finished machine operation says, in the map's details. */
const doneWords: Partial<Record<LabOperationKind, string>> = {
  maintain: 'is drained and stays cordoned.',
  'resume-node': 'is uncordoned.',
  'start-machine': 'runs again: its node is Ready and uncordoned.',
  'stop-machine': 'is drained and its VM is off; it stays cordoned.',
  'restart-machine': 'restarted: its node is Ready and uncordoned.',
  'recreate-machine': 'was recreated and joined the cluster.',
  'failure-drill': 'failed on purpose: the drill is over and the VM stays off until you start it.',
};

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
          ? `${machine} ${doneWords[operation.kind] ?? 'is done.'}`
          : `${labStatus(lab).label}${running?.detail ? ` · ${running.detail}` : ''}`}
      </p>
      {operation.timeline !== undefined && <DrillTimeline timeline={operation.timeline} />}
      {operation.error && lab.status !== 'running' && <p className="diagnosis">{operation.error.message}</p>}
    </div>
  );
}
