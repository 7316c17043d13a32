import type { LabSummary } from '../../../shared/contract';
import type { LabAction } from './labs-slice';
import { useAppStore } from '../../store/store-context';
import { canResume, describeNodeCounts, driverLabels, labStatus, nodeCounts, overallProgress, stepCounts } from './lab-progress';
import { ProgressBar } from '../../components/ProgressBar';
import { StatusBadge } from '../../components/StatusBadge';

/** What the operation is called while it runs, and once it finished. */
const operationTerm = {
  provision: ['Provisioning', 'Provisioned'],
  scale: ['Scaling', 'Scaled'],
  delete: ['Deleting', 'Deleted'],
  'etcd-snapshot': ['Taking an etcd snapshot', 'etcd snapshot taken'],
  'etcd-restore': ['Restoring etcd', 'etcd restored'],
  maintain: ['Draining a node', 'Node drained'],
  'resume-node': ['Uncordoning a node', 'Node uncordoned'],
  'lab-snapshot': ['Taking a lab snapshot', 'Lab snapshot taken'],
  'lab-revert': ['Reverting to a lab snapshot', 'Reverted to a lab snapshot'],
  upgrade: ['Upgrading Kubernetes', 'Kubernetes upgraded'],
  'start-machine': ['Starting a machine', 'Machine started'],
  'stop-machine': ['Stopping a machine', 'Machine stopped'],
  'restart-machine': ['Restarting a machine', 'Machine restarted'],
  'recreate-machine': ['Recreating a worker', 'Worker recreated'],
  'failure-drill': ['Running a failure drill', 'Failure drill done'],
} as const;

/** One lab in the list: status in words, host, distribution, version, nodes, the overall bar, actions. */
export function LabCard({
  lab,
  hostName,
  open,
  action,
  onOpen,
  onDelete,
}: {
  lab: LabSummary;
  hostName: string;
  open: boolean;
  action: LabAction | undefined;
  onOpen: () => void;
  onDelete: () => void;
}) {
  const resume = useAppStore((state) => state.resumeLab);
  const cancel = useAppStore((state) => state.cancelLab);
  const status = labStatus(lab);
  const counts = nodeCounts(lab.machines);
  const progress = overallProgress(lab);
  const headingId = `lab-card-${lab.name}`;
  const steps = lab.operation ? stepCounts(lab.operation) : undefined;
  return (
    <li className={`card lab-card ${open ? 'card-active' : ''}`} aria-labelledby={headingId} data-testid="lab-card">
      <div className="card-title">
        <h3 id={headingId}>{lab.name}</h3>
        <StatusBadge tone={status.tone} icon={status.icon} testId="lab-status">
          {status.label}
        </StatusBadge>
        <StatusBadge tone="neutral">
          {lab.plan.distribution} {lab.plan.kubernetesVersion}
        </StatusBadge>
      </div>
      <dl className="facts lab-card-facts">
        <dt>Host</dt>
        <dd>
          {hostName} <span className="muted">· {driverLabels[lab.plan.driver]}</span>
        </dd>
        <dt>Nodes</dt>
        <dd data-testid="lab-nodes">
          {describeNodeCounts(counts)}{' '}
          <span className="muted">
            ({counts.joined} of {counts.total} joined)
          </span>
        </dd>
        {lab.operation && (
          <>
            <dt>{operationTerm[lab.operation.kind][lab.operation.finishedAt === undefined ? 0 : 1]}</dt>
            <dd className="lab-card-progress">
              <ProgressBar
                value={progress}
                label={`${lab.name} overall progress`}
                tone={status.tone === 'bad' ? 'bad' : progress >= 1 ? 'ok' : 'busy'}
              />
              <span className="muted">
                {Math.round(progress * 100)}%{steps ? ` · ${steps.finished} of ${steps.total} steps` : ''}
              </span>
            </dd>
          </>
        )}
      </dl>
      <div className="form-actions">
        <button type="button" className="button" onClick={onOpen}>
          Open
        </button>
        {canResume(lab) && (
          <button type="button" className="button button-primary" disabled={action !== undefined} onClick={() => void resume(lab.name)}>
            {action === 'resuming' ? 'Resuming…' : 'Resume'}
          </button>
        )}
        {lab.status === 'running' && (
          <button type="button" className="button" disabled={action !== undefined} onClick={() => void cancel(lab.name)}>
            {action === 'cancelling' ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
        <span className="status-spacer" />
        <button type="button" className="button button-quiet" onClick={onDelete} disabled={action === 'removing'}>
          Delete
        </button>
      </div>
    </li>
  );
}
