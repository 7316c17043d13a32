import type { LabStep } from '../../../shared/contract';
import { formatDuration, stepElapsedMs, stepStatusLabel } from './lab-progress';
import { ProgressBar } from './ProgressBar';
import { LogsCell } from './MachineList';
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
  return (
    <table className="data-table lab-steps" aria-label="Steps">
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Status</th>
          <th scope="col" className="lab-steps-progress">
            Progress
          </th>
          <th scope="col">Time</th>
          <th scope="col">
            <span className="visually-hidden">Logs</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {steps.map((step) => {
          const status = stepStatusLabel(step.status);
          const elapsed = stepElapsedMs(step, now);
          return (
            <tr key={step.id} data-step={step.id} data-status={step.status} aria-current={selectedStep === step.id ? 'true' : undefined}>
              <th scope="row">
                <span className="lab-step-title">{step.title}</span>
                {step.error ? (
                  <span className="field-error lab-step-detail">{step.error.message}</span>
                ) : (
                  step.detail && <span className="muted lab-step-detail">{step.detail}</span>
                )}
              </th>
              <td>
                <StatusBadge tone={status.tone} icon={status.icon}>
                  {status.label}
                </StatusBadge>
              </td>
              <td className="lab-steps-progress">
                <ProgressBar
                  value={step.status === 'done' || step.status === 'skipped' ? 1 : step.progress}
                  label={`${step.title} progress`}
                  tone={step.status === 'failed' ? 'bad' : step.status === 'done' || step.status === 'skipped' ? 'ok' : 'busy'}
                />
              </td>
              <td className="lab-step-time">
                {elapsed === undefined
                  ? `about ${formatDuration(step.estimateMs)}`
                  : `${formatDuration(elapsed)} of about ${formatDuration(step.estimateMs)}`}
              </td>
              <LogsCell subject={step.title} onClick={() => onShowLogs(step.id)} />
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
