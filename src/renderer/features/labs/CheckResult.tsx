import type { PlanCheck } from '../../../shared/contract';
import { Icon } from '../../components/Icon';
import { fieldId } from './PlanFields';

const resourceNames = { cpu: 'CPU', memory: 'memory', disk: 'disk' } as const;

/** "CPU, memory and disk" */
function inWords(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/**
 * The capacity check: one line per resource with the sum written out and whether it fits, then
 * every problem with its fix and a link to its field.
 */
export function CheckResult({ check }: { check: PlanCheck }) {
  const short = check.capacity.filter((line) => !line.ok);
  return (
    <section
      className={`lab-check ${check.ok ? 'lab-check-ok' : 'lab-check-bad'}`}
      aria-labelledby="lab-check-heading"
      data-testid="plan-check"
    >
      <h3 id="lab-check-heading">Plan check</h3>
      <p className="lab-check-verdict" role="status">
        <Icon name={check.ok ? 'check' : 'alert'} size={16} />
        {check.ok
          ? 'The plan fits the host.'
          : short.length > 0
            ? `Refused: the host is short of ${inWords(short.map((line) => resourceNames[line.resource]))}.`
            : `Refused: ${check.problems.length} problem${check.problems.length === 1 ? '' : 's'} to fix.`}
      </p>
      {check.capacity.length > 0 && (
        <ul className="lab-capacity" aria-label="Capacity arithmetic">
          {check.capacity.map((line) => (
            <li key={line.resource} className={line.ok ? 'capacity-ok' : 'capacity-short'} data-resource={line.resource}>
              <span className={`check-status check-status-${line.ok ? 'ok' : 'bad'}`}>
                <Icon name={line.ok ? 'check' : 'alert'} size={16} />
                {line.ok ? 'Fits' : 'Short'}
              </span>
              <span className="lab-capacity-text">
                <strong>{line.summary}</strong>
                <code className="lab-arithmetic">{line.arithmetic}</code>
              </span>
            </li>
          ))}
        </ul>
      )}
      {check.problems.length > 0 && (
        <ul className="plain-list problem-list" aria-label="Problems">
          {check.problems.map((problem, index) => (
            <li key={`${problem.field}-${index}`}>
              {problem.message} <strong>{problem.fix}</strong>{' '}
              <a
                href={`#${fieldId(problem.field)}`}
                onClick={(event) => {
                  event.preventDefault();
                  document.getElementById(fieldId(problem.field))?.focus();
                }}
              >
                Go to the field
              </a>
            </li>
          ))}
        </ul>
      )}
      {check.hostCapacity && (
        <p className="muted lab-host-capacity">
          Host: {check.hostCapacity.cpus} logical CPUs, {Math.round((check.hostCapacity.memoryAvailableMiB / 1024) * 10) / 10} GiB memory
          available, {check.hostCapacity.diskFreeGiB} GiB free at <code>{check.hostCapacity.storagePath}</code>.
        </p>
      )}
    </section>
  );
}
