import type { ObjectDescription } from '../../../shared/contract';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { KeyValueList } from '../../components/KeyValueList';
import { LongText } from '../../components/LongText';
import { formatAge } from './age';

type Condition = ObjectDescription['conditions'][number];
type Container = ObjectDescription['containers'][number];

const conditionColumns: Column<Condition>[] = [
  { header: 'Type', cell: (condition) => condition.type },
  { header: 'Status', cell: (condition) => condition.status },
  { header: 'Reason', cell: (condition) => condition.reason ?? '' },
  { header: 'Message', cell: (condition) => <LongText text={condition.message ?? ''} /> },
];

const containerColumns: Column<Container>[] = [
  { header: 'Name', cell: (container) => `${container.name}${container.init ? ' (init)' : ''}` },
  {
    header: 'Image',
    cell: (container) => (
      <code>
        <LongText text={container.image} />
      </code>
    ),
  },
  { header: 'State', cell: (container) => `${container.state}${container.reason ? ` (${container.reason})` : ''}` },
  { header: 'Ready', cell: (container) => (container.ready === undefined ? '' : container.ready ? 'yes' : 'no') },
  { header: 'Restarts', cell: (container) => container.restarts ?? '' },
  { header: 'Ports', cell: (container) => container.ports.join(', ') },
];

/** A describe-style summary: status, facts (node, IPs...), labels, conditions, containers and ports. */
export function DescriptionDetails({ description, now }: { description: ObjectDescription; now: number }) {
  return (
    <div className="describe">
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd data-testid="describe-status">{description.status}</dd>
        </div>
        {description.created && (
          <div>
            <dt>Age</dt>
            <dd title={description.created}>{formatAge(description.created, now)}</dd>
          </div>
        )}
        {description.fields.map((field) => (
          <div key={field.label}>
            <dt>{field.label}</dt>
            <dd>
              <LongText text={field.value} />
            </dd>
          </div>
        ))}
      </dl>
      <KeyValueList title="Labels" values={description.labels} />
      <KeyValueList title="Annotations" values={description.annotations} />
      {description.conditions.length > 0 && (
        <section>
          <h4>Conditions</h4>
          <DataTable compact columns={conditionColumns} rows={description.conditions} rowKey={(condition) => condition.type} />
        </section>
      )}
      {description.containers.length > 0 && (
        <section>
          <h4>Containers</h4>
          <DataTable
            compact
            columns={containerColumns}
            rows={description.containers}
            rowKey={(container) => `${container.init ? 'init-' : ''}${container.name}`}
          />
        </section>
      )}
      {description.ports.length > 0 && description.kind === 'Service' && (
        <section>
          <h4>Ports</h4>
          <ul>
            {description.ports.map((port) => (
              <li key={`${port.port}/${port.protocol}`}>
                {port.name ? `${port.name}: ` : ''}
                {port.port}/{port.protocol}
                {port.targetPort ? ` → ${port.targetPort}` : ''}
                {port.nodePort ? ` (node port ${port.nodePort})` : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
