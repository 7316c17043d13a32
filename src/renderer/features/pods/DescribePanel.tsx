import type { ObjectDescription } from '../../../shared/contract';
import { KeyValueList } from '../../components/KeyValueList';
import { LongText } from '../../components/LongText';
import { formatAge } from './age';

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
          <table className="pods-table">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Reason</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {description.conditions.map((condition) => (
                <tr key={condition.type}>
                  <td>{condition.type}</td>
                  <td>{condition.status}</td>
                  <td>{condition.reason ?? ''}</td>
                  <td>
                    <LongText text={condition.message ?? ''} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {description.containers.length > 0 && (
        <section>
          <h4>Containers</h4>
          <table className="pods-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Image</th>
                <th scope="col">State</th>
                <th scope="col">Ready</th>
                <th scope="col">Restarts</th>
                <th scope="col">Ports</th>
              </tr>
            </thead>
            <tbody>
              {description.containers.map((container) => (
                <tr key={`${container.init ? 'init-' : ''}${container.name}`}>
                  <td>
                    {container.name}
                    {container.init ? ' (init)' : ''}
                  </td>
                  <td>
                    <code>
                      <LongText text={container.image} />
                    </code>
                  </td>
                  <td>
                    {container.state}
                    {container.reason ? ` (${container.reason})` : ''}
                  </td>
                  <td>{container.ready === undefined ? '' : container.ready ? 'yes' : 'no'}</td>
                  <td>{container.restarts ?? ''}</td>
                  <td>{container.ports.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
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
