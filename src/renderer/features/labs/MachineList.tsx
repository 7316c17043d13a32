import { useEffect } from 'react';
import type { LabMachine, LabSummary, MachineStatus } from '../../../shared/contract';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
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
  const statusOf = (machine: LabMachine) => statuses.find((candidate) => candidate.name === machine.name);
  const columns: Column<LabMachine>[] = [
    { header: 'VM', rowHeader: true, cell: (machine) => <code>{machine.name}</code> },
    {
      header: 'Role',
      cell: (machine) => (
        <>
          {roleLabels[machine.role]} <span className="muted">({machine.os === 'linux' ? 'Linux' : 'Windows'})</span>
        </>
      ),
    },
    { header: 'Size', cell: (machine) => describeSize(machine.size) },
    { header: 'Address', cell: (machine) => (machine.address ? <code>{machine.address}</code> : <span className="muted">not yet</span>) },
    { header: 'State', cell: (machine) => machineStateLabels[machine.state] },
    { header: 'Power', testId: 'machine-power', cell: (machine) => powerLabel(lab, statusOf(machine)) },
    { header: 'Node', testId: 'machine-node', cell: (machine) => nodeStateLabel(machine, statusOf(machine)) },
    { header: 'Actions', headerHidden: true, cell: (machine) => <MachineActions lab={lab} machine={machine} status={statusOf(machine)} /> },
    {
      header: 'Logs',
      headerHidden: true,
      cell: (machine) => <LogsButton subject={machine.name} onClick={() => onShowLogs(machine.name)} />,
    },
  ];
  return (
    <>
      <MachineActionError lab={lab.name} />
      <DataTable
        className="lab-machines"
        caption="Machines"
        columns={columns}
        rows={sortMachines(lab.machines)}
        rowKey={(machine) => machine.name}
        rowAttributes={(machine) => ({ 'data-machine': machine.name, 'aria-current': selectedVm === machine.name ? 'true' : undefined })}
      />
    </>
  );
}

/** The last cell of a step or machine row: shows that row's log lines. */
export function LogsButton({ subject, onClick }: { subject: string; onClick: () => void }) {
  return (
    <button type="button" className="button button-quiet" onClick={onClick} aria-label={`Logs of ${subject}`}>
      Logs
    </button>
  );
}
