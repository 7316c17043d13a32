import type { ObjectEvent } from '../../../shared/contract';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { LongText } from '../../components/LongText';
import { formatAge } from './age';

/** Events about one object, newest first, as `kubectl describe` lists them. */
export function EventsTable({ events, now }: { events: ObjectEvent[]; now: number }) {
  if (events.length === 0) return <p className="muted">No events. Kubernetes keeps events for about an hour.</p>;
  const columns: Column<ObjectEvent>[] = [
    { header: 'Type', cell: (event) => (event.type === 'Warning' ? '⚠ Warning' : event.type) },
    { header: 'Reason', cell: (event) => event.reason },
    { header: 'Age', cell: (event) => <span title={event.lastSeen}>{formatAge(event.lastSeen, now)}</span> },
    { header: 'Count', cell: (event) => event.count },
    { header: 'From', cell: (event) => event.source ?? '' },
    { header: 'Message', cell: (event) => <LongText text={event.message} /> },
  ];
  return (
    <DataTable
      compact
      columns={columns}
      rows={events}
      rowKey={(_event, index) => String(index)}
      rowAttributes={(event) => ({ className: event.type === 'Warning' ? 'event-warning' : undefined })}
    />
  );
}
