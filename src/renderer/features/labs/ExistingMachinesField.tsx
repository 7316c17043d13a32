import type { ExistingMachine, HostSummary, MachineRole } from '../../../shared/contract';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { roleLabels } from './lab-progress';
import { fieldId } from './PlanFields';

const roles = Object.keys(roleLabels) as MachineRole[];

/** driver 'existing': which inventory hosts become which node (a host at most once). */
export function ExistingMachinesField({
  path,
  hosts,
  value,
  error,
  onChange,
}: {
  path: string;
  hosts: HostSummary[];
  value: ExistingMachine[];
  error: string | undefined;
  onChange: (value: ExistingMachine[]) => void;
}) {
  const id = fieldId(path);
  const roleOf = (hostId: string) => value.find((machine) => machine.hostId === hostId)?.role ?? '';
  const setRole = (hostId: string, role: MachineRole | '') => {
    const others = value.filter((machine) => machine.hostId !== hostId);
    onChange(role === '' ? others : [...others, { hostId, role }]);
  };
  const columns: Column<HostSummary>[] = [
    {
      header: 'Host',
      rowHeader: true,
      cell: (host) => (
        <>
          <label htmlFor={`${id}-${host.id}`}>{host.name}</label> <span className="muted">{host.address}</span>
        </>
      ),
    },
    {
      header: 'Becomes',
      cell: (host) => (
        <select
          id={`${id}-${host.id}`}
          className="select"
          value={roleOf(host.id)}
          aria-invalid={error ? true : undefined}
          onChange={(event) => setRole(host.id, event.target.value as MachineRole | '')}
        >
          <option value="">Not used</option>
          {roles.map((role) => (
            <option key={role} value={role}>
              {roleLabels[role]}
            </option>
          ))}
        </select>
      ),
    },
  ];
  return (
    <fieldset className="lab-form-set" data-field={path} aria-describedby={error ? `${id}-error` : undefined}>
      <legend>Existing machines</legend>
      <p className="field-hint">Each host of the inventory can become one node; its SSH credentials and accepted host key are used.</p>
      <DataTable className="lab-existing" columns={columns} rows={hosts} rowKey={(host) => host.id} />
      {error && (
        <p className="field-error" id={`${id}-error`} data-field-error>
          {error}
        </p>
      )}
    </fieldset>
  );
}
