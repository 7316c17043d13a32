import type { ConditionSummary } from '../../../shared/contract';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { KeyValueList } from '../../components/KeyValueList';
import { LongText } from '../../components/LongText';
import { useAppStore } from '../../store/store-context';
import type { TopologyDetails as Details } from './topology-slice';
import { LabNodeActions } from '../labs/LabNodeActions';
import { ObjectActions } from '../pods/ObjectActions';
import { StatusBadge } from '../../components/StatusBadge';
import { badgeTones } from './status';

const conditionColumns: Column<ConditionSummary>[] = [
  { header: 'Type', rowHeader: true, cell: (condition) => condition.type },
  { header: 'Status', cell: (condition) => condition.status },
  { header: 'Reason', cell: (condition) => condition.reason ?? '' },
];

const plural = (count: number, noun: string) => (count === 1 ? noun : `${noun}s`);

/** The details panel: what the selected box stands for, its labels, conditions, owner and events. */
export function TopologyDetails({ details, onClose, onToggle }: { details: Details; onClose: () => void; onToggle: (id: string) => void }) {
  const { node, object, events } = details;
  const conditions = object && 'conditions' in object ? (object.conditions ?? []) : [];
  const context = useAppStore((state) => state.topology.context);
  return (
    <aside className="topology-details" aria-label="Details">
      <header>
        <div>
          <div className="topology-kind">{node.kind}</div>
          <h2>{node.label}</h2>
          {node.namespace && <div className="muted">Namespace {node.namespace}</div>}
        </div>
        <button type="button" className="button-quiet" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </header>
      {node.status && (
        <StatusBadge tone={badgeTones[node.status.tone]} inline>
          {node.status.text}
        </StatusBadge>
      )}
      {object && (
        <ObjectActions
          context={context}
          kind={object.kind}
          name={object.name}
          namespace={object.namespace}
          ports={object.kind === 'Service' ? object.ports : []}
          offerForward={object.kind === 'Service' && (object.externalAddresses ?? []).length === 0}
        />
      )}
      {object?.kind === 'Node' && <LabNodeActions context={context} node={object.name} cordoned={object.unschedulable === true} />}
      {node.detail && (
        <p>
          <LongText text={node.detail} />
        </p>
      )}
      {(object?.kind === 'Ingress' || object?.kind === 'HTTPRoute') && (
        <p>
          {object.services.length > 0
            ? `Routes to ${plural(object.services.length, 'Service')} ${object.services.join(', ')}`
            : 'Routes to no Service'}
        </p>
      )}
      {object?.kind === 'HTTPRoute' && object.gateways.length > 0 && (
        <p>
          Attached to {plural(object.gateways.length, 'Gateway')} {object.gateways.join(', ')}
        </p>
      )}
      {node.type === 'group' && node.pods && (
        <p>
          {node.pods.total} pods, {node.pods.ready} ready{node.pods.failing > 0 ? `, ${node.pods.failing} failing` : ''}.{' '}
          <button type="button" onClick={() => onToggle(node.id)}>
            {node.expanded ? 'Collapse pods' : 'Show pods'}
          </button>
        </p>
      )}
      {(node.type === 'pool' || node.type === 'namespace') && (
        <p>
          {node.expanded
            ? 'Open: its members are drawn on the map.'
            : `Healthy ${node.type === 'pool' ? 'nodes' : 'workloads, Services and Ingresses'} drawn as one box to keep a big map fluid; problems stay drawn apart.`}{' '}
          <button type="button" onClick={() => onToggle(node.id)}>
            {node.expanded ? 'Fold again' : node.type === 'pool' ? 'Show nodes' : 'Show workloads'}
          </button>
        </p>
      )}
      {object?.owner && (
        <p>
          Owner: {object.owner.kind} {object.owner.name}
        </p>
      )}
      {object?.labels && <KeyValueList title="Labels" values={object.labels} heading="h3" />}
      {conditions.length > 0 && (
        <section>
          <h3>Conditions</h3>
          <DataTable compact columns={conditionColumns} rows={conditions} rowKey={(condition) => condition.type} />
        </section>
      )}
      <section>
        <h3>Recent events</h3>
        {events.state === 'loading' && <p className="muted">Loading…</p>}
        {events.state === 'none' && <p className="muted">No events for this kind of box.</p>}
        {events.state === 'failed' && <p role="alert">Events could not be read: {events.error.message}</p>}
        {events.state === 'loaded' &&
          (events.events.length === 0 ? (
            <p className="muted">No recent events.</p>
          ) : (
            <ul className="topology-events">
              {events.events.map((event, index) => (
                <li key={index}>
                  <strong>
                    {event.type === 'Warning' ? '⚠ ' : ''}
                    {event.reason}
                  </strong>{' '}
                  <LongText text={event.message} /> {event.count > 1 ? `(×${event.count})` : ''}
                </li>
              ))}
            </ul>
          ))}
      </section>
    </aside>
  );
}
