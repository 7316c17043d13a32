import type { LabStep } from '../../../shared/contract';
import { formatDuration, stepElapsedMs, stepStatusLabel } from './lab-progress';
import { ProgressBar } from '../../components/ProgressBar';
import { LogsButton } from './MachineList';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { StatusBadge } from '../../components/StatusBadge';

/**
 * One row per step: status in words, its progress bar, elapsed time against the estimate, what it
 * does now (or why it was skipped or failed), and a button that shows its log lines.
 */
export function StepList({
  steps,
  now,
  selectedStep,
  onShowLogs,
}: {
  steps: LabStep[];
  now: number;
  selectedStep: string | undefined;
  onShowLogs: (stepId: string) => void;
}) {
  if (steps.length === 0) return <p className="muted">Planning the steps…</p>;
  const columns: Column<LabStep>[] = [
    {
      header: 'Step',
      rowHeader: true,
      cell: (step) => (
        <>
          <span className="lab-step-title">{step.title}</span>
          {step.error ? (
            <span className="field-error lab-step-detail">{step.error.message}</span>
          ) : (
            step.detail && <span className="muted lab-step-detail">{step.detail}</span>
          )}
        </>
      ),
    },
    {
      header: 'Status',
      cell: (step) => {
        const status = stepStatusLabel(step.status);
        return (
          <StatusBadge tone={status.tone} icon={status.icon}>
            {status.label}
          </StatusBadge>
        );
      },
    },
    {
      header: 'Progress',
      className: 'lab-steps-progress',
      cell: (step) => (
        <ProgressBar
          value={step.status === 'done' || step.status === 'skipped' ? 1 : step.progress}
          label={`${step.title} progress`}
          tone={step.status === 'failed' ? 'bad' : step.status === 'done' || step.status === 'skipped' ? 'ok' : 'busy'}
          // A running step that has not said how far it is (a guest's SSH and cloud-init) moves rather than sit empty.
          indeterminate={step.status === 'running' && !(step.progress > 0)}
        />
      ),
    },
    {
      header: 'Time',
      className: 'lab-step-time',
      cell: (step) => {
        const elapsed = stepElapsedMs(step, now);
        return elapsed === undefined
          ? `about ${formatDuration(step.estimateMs)}`
          : `${formatDuration(elapsed)} of about ${formatDuration(step.estimateMs)}`;
      },
    },
    { header: 'Logs', headerHidden: true, cell: (step) => <LogsButton subject={step.title} onClick={() => onShowLogs(step.id)} /> },
  ];
  return (
    <DataTable
      className="lab-steps"
      caption="Steps"
      columns={columns}
      rows={steps}
      rowKey={(step) => step.id}
      rowAttributes={(step) => ({
        'data-step': step.id,
        'data-status': step.status,
        'aria-current': selectedStep === step.id ? 'true' : undefined,
      })}
    />
  );
}
