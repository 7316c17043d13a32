import type { DrillEvent } from '../../../shared/contract';
import { drillTime } from './machine-action-view';

const kindWords: Record<DrillEvent['kind'], string> = {
  'vm-off': 'VM off',
  'node-not-ready': 'Node NotReady',
  taint: 'Taint',
  eviction: 'Eviction',
  rescheduled: 'Rescheduled',
  end: 'End',
};

/**
 * The failure drill's timeline: each event with the time measured after the VM was turned off,
 * beside the single-server evaluation's reference (a failed node's workloads moved in 6-8 minutes).
 */
export function DrillTimeline({ timeline }: { timeline: readonly DrillEvent[] }) {
  return (
    <section className="lab-drill" aria-label="Failure drill timeline">
      <h4>Failure drill timeline</h4>
      {timeline.length === 0 ? (
        <p className="muted">Nothing measured yet.</p>
      ) : (
        <ol className="lab-drill-events">
          {timeline.map((event) => (
            <li key={`${event.kind}:${event.pod ?? ''}:${event.atMs}:${event.text}`} data-kind={event.kind}>
              <span className="lab-drill-time">{drillTime(event)}</span> <strong>{kindWords[event.kind]}</strong> {event.text}
            </li>
          ))}
        </ol>
      )}
      <p className="muted">
        For comparison: in the AKS on Azure Stack HCI single-server evaluation, a failed node’s workloads moved in 6-8 minutes. Pods leave a
        lost node after their toleration of its taint (300 s unless they set their own).
      </p>
    </section>
  );
}
