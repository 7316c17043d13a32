import type { PodSummary } from '../../../shared/contract';
import { StatusBadge, type StatusTone } from '../../components/StatusBadge';
import type { VirtualColumn } from '../../components/VirtualTable';
import type { AppState } from '../../store/app-store';
import { formatAge } from './age';
import type { PodHealth, PodSortKey } from './pod-table';

const healthTone: Record<PodHealth, StatusTone> = { failing: 'bad', pending: 'warn', 'not-ready': 'warn', terminating: 'busy', ok: 'ok' };

/** What the cells need besides the row: the context, the clock for ages, and each pod's chosen container. */
export interface PodCellContext {
  context: string;
  now: number;
  health: (pod: PodSummary) => PodHealth;
  /** The container Logs and Exec use, for pods with several. */
  container: (pod: PodSummary) => string;
  chooseContainer: (pod: PodSummary, container: string) => void;
  onForward: (pod: PodSummary) => void;
  /** The store's actions, selected once for all rows (a subscription per drawn row made scrolling slower). */
  actions: PodRowActions;
}

export type PodRowActions = Pick<AppState, 'openLogs' | 'showEvents' | 'showDescribe' | 'execInPod'>;

/** The pods list's columns; the sortable ones name their sort key. */
export function podColumns(cells: PodCellContext): VirtualColumn<PodSummary, PodSortKey>[] {
  return [
    {
      header: 'Name',
      rowHeader: true,
      sortKey: 'name',
      cell: (pod) => (
        <>
          <span className="pod-name" title={pod.name}>
            {pod.name}
          </span>
          {pod.containers.length > 1 && (
            <select
              aria-label={`Container of ${pod.name}`}
              value={cells.container(pod)}
              onChange={(event) => cells.chooseContainer(pod, event.target.value)}
            >
              {pod.containers.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          )}
        </>
      ),
    },
    { header: 'Namespace', sortKey: 'namespace', width: '9rem', cell: (pod) => <span title={pod.namespace}>{pod.namespace}</span> },
    { header: 'Ready', width: '4rem', cell: (pod) => `${pod.readyContainers}/${pod.totalContainers}` },
    {
      header: 'Status',
      sortKey: 'status',
      width: '18rem',
      cell: (pod) => {
        const why = pod.reason ?? (cells.health(pod) === 'not-ready' ? 'not ready' : undefined);
        const text = `${pod.phase}${why ? ` (${why})` : ''}`;
        return (
          <span title={text}>
            <StatusBadge tone={healthTone[cells.health(pod)]} inline>
              {text}
            </StatusBadge>
          </span>
        );
      },
    },
    { header: 'Restarts', sortKey: 'restarts', width: '5.5rem', cell: (pod) => String(pod.restarts) },
    { header: 'Node', sortKey: 'node', width: '9rem', cell: (pod) => <span title={pod.node}>{pod.node ?? ''}</span> },
    {
      header: 'Age',
      sortKey: 'age',
      width: '4.5rem',
      cell: (pod) => <span title={pod.created}>{formatAge(pod.created, cells.now)}</span>,
    },
    {
      header: 'Actions',
      width: '27rem',
      cell: (pod) => (
        <PodActions
          context={cells.context}
          pod={pod}
          container={cells.container(pod)}
          onForward={cells.onForward}
          actions={cells.actions}
        />
      ),
    },
  ];
}

/** Logs, the Deployment's logs, Events, Details, Exec and Forward for one pod. */
function PodActions({
  context,
  pod,
  container,
  onForward,
  actions: { openLogs, showEvents, showDescribe, execInPod },
}: {
  context: string;
  pod: PodSummary;
  container: string;
  onForward: (pod: PodSummary) => void;
  actions: PodRowActions;
}) {
  const ref = { context, kind: 'Pod', name: pod.name, namespace: pod.namespace };
  const chosen = pod.containers.length > 1 ? { container } : {};
  const deployment = pod.owner?.kind === 'Deployment' ? pod.owner.name : undefined;
  return (
    <div className="pod-actions">
      <button
        type="button"
        className="button"
        aria-label={`Logs of ${pod.name}`}
        onClick={() => void openLogs({ context, namespace: pod.namespace, kind: 'pod', name: pod.name, ...chosen })}
      >
        Logs
      </button>
      {deployment && (
        <button
          type="button"
          className="button pod-deployment-logs"
          title={`All ${deployment} logs`}
          aria-label={`All ${deployment} logs: every pod of the Deployment`}
          onClick={() => void openLogs({ context, namespace: pod.namespace, kind: 'deployment', name: deployment })}
        >
          All {deployment} logs
        </button>
      )}
      <button type="button" className="button" aria-label={`Events of ${pod.name}`} onClick={() => void showEvents(ref)}>
        Events
      </button>
      <button type="button" className="button" aria-label={`Details of ${pod.name}`} onClick={() => void showDescribe(ref)}>
        Details
      </button>
      <button
        type="button"
        className="button"
        aria-label={`Exec into ${pod.name}`}
        disabled={pod.phase !== 'Running'}
        onClick={() => void execInPod({ context, namespace: pod.namespace, pod: pod.name, ...chosen })}
      >
        Exec
      </button>
      <button
        type="button"
        className="button"
        aria-label={`Forward a port of ${pod.name}`}
        disabled={pod.phase !== 'Running'}
        onClick={() => onForward(pod)}
      >
        Forward
      </button>
    </div>
  );
}
