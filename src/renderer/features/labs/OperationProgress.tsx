import type { LabOperation, LabSummary } from '../../../shared/contract';
import { formatDuration, labStatus, operationTimes, progressAnnouncement, stepCounts } from './lab-progress';
import { DrillTimeline } from './DrillTimeline';
import { ProgressBar } from '../../components/ProgressBar';

const kindTitles = {
  provision: 'Provisioning',
  scale: 'Scaling the node pools',
  delete: 'Deleting',
  'etcd-snapshot': 'Taking an etcd snapshot',
  'etcd-restore': 'Restoring etcd from a snapshot',
  maintain: 'Maintenance: cordon and drain',
  'resume-node': 'Resume: uncordon',
  'lab-snapshot': 'Taking a lab snapshot',
  'lab-revert': 'Reverting the lab to a snapshot',
  upgrade: 'Upgrading Kubernetes: control plane, then node by node',
  'start-machine': 'Start: VM on, wait for Ready, uncordon',
  'stop-machine': 'Stop: cordon, drain, shut down',
  'restart-machine': 'Restart: cordon, drain, shut down, start, uncordon',
  'recreate-machine': 'Recreate: delete the VM and node, make and join a new one',
  'failure-drill': 'Failure drill: VM off without draining',
} as const;

/**
 * The overall bar with elapsed time and the estimate. Screen readers hear status changes and the
 * steps that start (a polite live region), not every percent.
 */
export function OperationProgress({
  lab,
  operation,
  progress,
  now,
}: {
  lab: LabSummary;
  operation: LabOperation;
  progress: number;
  now: number;
}) {
  const times = operationTimes(lab, now);
  const { finished, total } = stepCounts(operation);
  const tone = lab.status === 'failed' ? 'bad' : progress >= 1 ? 'ok' : 'busy';
  const title = `${kindTitles[operation.kind]}${operation.machine === undefined ? '' : ` ${operation.machine}`}`;
  return (
    <div className="lab-operation">
      <div className="lab-operation-head">
        <strong>{title}</strong>
        <span className="muted" data-testid="lab-times">
          {Math.round(progress * 100)}% · {finished} of {total} steps · {formatDuration(times?.elapsedMs ?? 0)} elapsed
          {times?.remainingMs !== undefined &&
            (times.overdue ? ' · taking longer than estimated' : ` · about ${formatDuration(times.remainingMs)} left`)}
          {lab.status !== 'running' ? ` · ${labStatus(lab).label}` : ''}
        </span>
      </div>
      <ProgressBar value={progress} label={`${lab.name}: ${title}`} tone={tone} />
      <p className="visually-hidden" role="status" aria-live="polite">
        {progressAnnouncement(lab)}
      </p>
      {operation.timeline !== undefined && <DrillTimeline timeline={operation.timeline} />}
    </div>
  );
}
