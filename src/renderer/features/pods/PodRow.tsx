import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PodSummary } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';
import { formatAge } from './age';

/** One pod in the list, with its actions. With several containers, a picker chooses the one Logs and Exec use. */
export function PodRow({
  context,
  pod,
  now,
  onForward,
}: {
  context: string;
  pod: PodSummary;
  now: number;
  onForward: (pod: PodSummary) => void;
}) {
  const { openLogs, showEvents, showDescribe, execInPod } = useAppStore(
    useShallow((state) => ({
      openLogs: state.openLogs,
      showEvents: state.showEvents,
      showDescribe: state.showDescribe,
      execInPod: state.execInPod,
    })),
  );
  const [container, setContainer] = useState(pod.containers[0] ?? '');
  const ref = { context, kind: 'Pod', name: pod.name, namespace: pod.namespace };
  const chosen = pod.containers.length > 1 ? { container } : {};
  const deployment = pod.owner?.kind === 'Deployment' ? pod.owner.name : undefined;
  return (
    <tr data-pod={pod.name}>
      <th scope="row">
        <span className="pod-name">{pod.name}</span>
        {pod.containers.length > 1 && (
          <select aria-label={`Container of ${pod.name}`} value={container} onChange={(event) => setContainer(event.target.value)}>
            {pod.containers.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        )}
      </th>
      <td>{pod.namespace}</td>
      <td>
        {pod.readyContainers}/{pod.totalContainers}
      </td>
      <td>
        {pod.phase}
        {pod.reason ? ` (${pod.reason})` : ''}
      </td>
      <td>{pod.restarts}</td>
      <td>{pod.node ?? ''}</td>
      <td title={pod.created}>{formatAge(pod.created, now)}</td>
      <td className="pod-actions">
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
            className="button"
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
      </td>
    </tr>
  );
}
