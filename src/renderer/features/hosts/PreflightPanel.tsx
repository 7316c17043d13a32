import type { HostSummary, PreflightCheck, PreflightReport } from '../../../shared/contract';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { StatusBadge } from '../../components/StatusBadge';
import type { ProbeState } from './hosts-slice';
import { checkStatusLabel, formatMiB, probeFraction, probeSteps } from './host-status';

/** The preflight of one host: progress with Cancel while it runs, then the report. */
export function PreflightPanel({ host, probe, onCancel }: { host: HostSummary; probe: ProbeState; onCancel: () => void }) {
  if (probe.status === 'running') {
    const step = probeSteps.find((s) => s.phase === probe.phase)?.label ?? 'Working';
    return (
      <div className="preflight-progress" aria-live="polite">
        <div className="preflight-progress-row">
          <span>Preflight: {step}…</span>
          <button type="button" className="button" onClick={onCancel}>
            Cancel preflight
          </button>
        </div>
        <progress aria-label={`Preflight of ${host.name}`} max={1} value={probeFraction(probe.phase)} />
      </div>
    );
  }
  if (probe.status === 'failed') {
    return (
      <div className="diagnosis" role="group" aria-label="Preflight failed">
        <p>
          <strong>{probe.error.code === 'CANCELLED' ? 'Preflight cancelled.' : 'The preflight could not run.'}</strong>
        </p>
        {probe.error.code !== 'CANCELLED' && <p>{probe.error.message}</p>}
      </div>
    );
  }
  return <PreflightReportView host={host} report={probe.report} />;
}

const checkColumns: Column<PreflightCheck>[] = [
  {
    header: 'Result',
    cell: (check) => {
      const label = checkStatusLabel(check.status);
      return (
        <StatusBadge tone={label.tone} icon={label.icon} inline>
          {label.label}
        </StatusBadge>
      );
    },
  },
  { header: 'Check', rowHeader: true, cell: (check) => check.title },
  { header: 'Found', cell: (check) => check.detail },
  {
    header: 'Fix',
    cell: (check) => (check.fix ? <span className="verbatim check-fix">{check.fix}</span> : <span className="muted">nothing to do</span>),
  },
];

function PreflightReportView({ host, report }: { host: HostSummary; report: PreflightReport }) {
  const overall = checkStatusLabel(report.status);
  const counts = (['pass', 'warn', 'fail'] as const).map((status) => ({
    status,
    count: report.checks.filter((c) => c.status === status).length,
  }));
  const { capacity } = report;
  return (
    <section className="preflight-report" aria-label={`Preflight report of ${host.name}`}>
      <div className="preflight-summary">
        <StatusBadge tone={overall.tone} testId="preflight-status">
          Preflight: {overall.label}
        </StatusBadge>
        <span className="muted">
          {counts.map(({ status, count }) => `${count} ${checkStatusLabel(status).label.toLowerCase()}`).join(' · ')} · probed{' '}
          {new Date(report.probedAt).toLocaleTimeString()}
        </span>
      </div>
      <dl className="facts capacity-facts" aria-label="Capacity a lab can use">
        <dt>Hypervisor</dt>
        <dd>{capacity.hypervisor === 'kvm' ? 'KVM / libvirt' : 'Hyper-V'}</dd>
        <dt>CPUs</dt>
        <dd>{capacity.cpus} logical</dd>
        <dt>Memory</dt>
        <dd>
          {formatMiB(capacity.memoryAvailableMiB)} available of {formatMiB(capacity.memoryMiB)}
        </dd>
        <dt>Disk</dt>
        <dd>
          {capacity.diskFreeGiB} GiB free at <code>{capacity.storagePath}</code>
        </dd>
        <dt>Nested virtualization</dt>
        <dd>{capacity.nestedVirtualization ? 'works: lab VMs can run hypervisors' : 'not available'}</dd>
      </dl>
      <DataTable
        className="preflight-table"
        caption={`Preflight checks of ${host.name}`}
        columns={checkColumns}
        rows={report.checks}
        rowKey={(check) => check.id}
        rowAttributes={(check) => ({ 'data-check': check.id, className: `check-${check.status}` })}
      />
    </section>
  );
}
