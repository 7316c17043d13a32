import { useEffect } from 'react';
import type { LabSummary, MachineStatus } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';
import { describeSize } from './lab-form';
import { machineStateLabels, roleLabels, sortMachines } from './lab-progress';
import { nodeStateLabel, powerLabel } from './machine-action-view';
import { MachineActionError, MachineActions } from './MachineActions';

const noStatuses: MachineStatus[] = [];
/** How often the machines' nodes are read again while the list is shown. */
const STATUS_INTERVAL_MS = 5_000;

/**
 * The lab's VMs: role, OS, size, address once known, whether they joined, their power state as
 * the hypervisor reports it, their node as the cluster shows it now, and the day-2 actions
 * (Maintain, Resume, Start, Stop, Restart, Recreate, Simulate a failure); each can filter the logs.
 */
export function MachineList({
  lab,
  selectedVm,
  onShowLogs,
}: {
  lab: LabSummary;
  selectedVm: string | undefined;
  onShowLogs: (vm: string) => void;
}) {
  const statuses = useAppStore((state) => state.machineStatuses[lab.name] ?? noStatuses);
  const load = useAppStore((state) => state.loadMachineStatuses);
  // Read again whenever an operation of the lab ends (a drain, an uncordon), and every few seconds.
  const finished = lab.status === 'running' ? 'running' : (lab.operation?.finishedAt ?? lab.status);
  useEffect(() => {
    void load(lab.name);
    const timer = setInterval(() => void load(lab.name), STATUS_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [lab.name, finished, load]);
  const machines = lab.machines;
  return (
    <>
      <MachineActionError lab={lab.name} />
      <table className="data-table lab-machines" aria-label="Machines">
        <thead>
          <tr>
            <th scope="col">VM</th>
            <th scope="col">Role</th>
            <th scope="col">Size</th>
            <th scope="col">Address</th>
            <th scope="col">State</th>
            <th scope="col">Power</th>
            <th scope="col">Node</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
            <th scope="col">
              <span className="visually-hidden">Logs</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sortMachines(machines).map((machine) => {
            const status = statuses.find((candidate) => candidate.name === machine.name);
            return (
              <tr key={machine.name} data-machine={machine.name} aria-current={selectedVm === machine.name ? 'true' : undefined}>
                <th scope="row">
                  <code>{machine.name}</code>
                </th>
                <td>
                  {roleLabels[machine.role]} <span className="muted">({machine.os === 'linux' ? 'Linux' : 'Windows'})</span>
                </td>
                <td>{describeSize(machine.size)}</td>
                <td>{machine.address ? <code>{machine.address}</code> : <span className="muted">not yet</span>}</td>
                <td>{machineStateLabels[machine.state]}</td>
                <td data-testid="machine-power">{powerLabel(lab, status)}</td>
                <td data-testid="machine-node">{nodeStateLabel(machine, status)}</td>
                <td>
                  <MachineActions lab={lab} machine={machine} status={status} />
                </td>
                <LogsCell subject={machine.name} onClick={() => onShowLogs(machine.name)} />
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

/** The last cell of a step or machine row: shows that row's log lines. */
export function LogsCell({ subject, onClick }: { subject: string; onClick: () => void }) {
  return (
    <td>
      <button type="button" className="button button-quiet" onClick={onClick} aria-label={`Logs of ${subject}`}>
        Logs
      </button>
    </td>
  );
}
