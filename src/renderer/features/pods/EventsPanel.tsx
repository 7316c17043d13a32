import type { ObjectEvent } from '../../../shared/contract';
import { LongText } from '../../components/LongText';
import { formatAge } from './age';

/** Events about one object, newest first, as `kubectl describe` lists them. */
export function EventsTable({ events, now }: { events: ObjectEvent[]; now: number }) {
  if (events.length === 0) return <p className="muted">No events. Kubernetes keeps events for about an hour.</p>;
  return (
    <table className="pods-table events-table">
      <thead>
        <tr>
          <th scope="col">Type</th>
          <th scope="col">Reason</th>
          <th scope="col">Age</th>
          <th scope="col">Count</th>
          <th scope="col">From</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event, index) => (
          <tr key={index} className={event.type === 'Warning' ? 'event-warning' : undefined}>
            <td>{event.type === 'Warning' ? '⚠ Warning' : event.type}</td>
            <td>{event.reason}</td>
            <td title={event.lastSeen}>{formatAge(event.lastSeen, now)}</td>
            <td>{event.count}</td>
            <td>{event.source ?? ''}</td>
            <td>
              <LongText text={event.message} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
