import type { LabMachine } from '../../../shared/contract';
import { describeSize } from './lab-form';
import { machineStateLabels, roleLabels, sortMachines } from './lab-progress';

/** The lab's VMs: role, OS, size, address once known, and whether they joined; each can filter the logs. */
export function MachineList({
  machines,
  selectedVm,
  onShowLogs,
}: {
  machines: LabMachine[];
  selectedVm: string | undefined;
  onShowLogs: (vm: string) => void;
}) {
  return (
    <table className="data-table lab-machines" aria-label="Machines">
      <thead>
        <tr>
          <th scope="col">VM</th>
          <th scope="col">Role</th>
          <th scope="col">Size</th>
          <th scope="col">Address</th>
          <th scope="col">State</th>
          <th scope="col">
            <span className="visually-hidden">Logs</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {sortMachines(machines).map((machine) => (
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
            <LogsCell subject={machine.name} onClick={() => onShowLogs(machine.name)} />
          </tr>
        ))}
      </tbody>
    </table>
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
