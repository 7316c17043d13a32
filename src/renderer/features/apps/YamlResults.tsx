import type { ObjectApplyResult, YamlApplyResult } from '../../../shared/contract';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';

type DoneResult = Extract<YamlApplyResult, { status: 'done' }>;

function describe(result: ObjectApplyResult): string {
  const { kind, name, namespace } = result.object;
  return `${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

function outcomeText(result: ObjectApplyResult, dryRun: boolean): string {
  if (result.outcome === 'failed') return `${result.error?.code ?? 'failed'}: ${result.error?.message ?? ''}`;
  if (result.outcome === 'skipped') return 'not sent (cancelled)';
  return dryRun ? `would be ${result.outcome}` : result.outcome;
}

/** "1,998 would be created, 2 failed": one line for pastes too long to read row by row. */
export function summaryOf(result: DoneResult): string {
  const counts = new Map<string, number>();
  for (const row of result.results) counts.set(row.outcome, (counts.get(row.outcome) ?? 0) + 1);
  const order: ObjectApplyResult['outcome'][] = ['created', 'configured', 'unchanged', 'failed', 'skipped'];
  const parts = order
    .filter((outcome) => counts.has(outcome))
    .map((outcome) => {
      const count = (counts.get(outcome) ?? 0).toLocaleString('en-US');
      if (outcome === 'failed' || outcome === 'skipped') return `${count} ${outcome === 'skipped' ? 'not sent' : 'failed'}`;
      return `${count} ${result.dryRun ? 'would be ' : ''}${outcome}`;
    });
  return `${result.dryRun ? 'Dry run (nothing written)' : 'Applied'}${result.cancelled ? ', cancelled' : ''}: ${parts.join(', ')}.`;
}

function resultColumns(dryRun: boolean): Column<ObjectApplyResult>[] {
  return [
    { header: 'Document', cell: (row) => row.document ?? '-' },
    { header: 'Object', cell: describe },
    {
      header: 'Result',
      className: (row) => (row.outcome === 'failed' ? 'field-error' : undefined),
      cell: (row) => (
        <>
          {outcomeText(row, dryRun)}
          {row.warnings?.map((warning) => (
            <div key={warning} className="field-warning" data-testid="yaml-warning">
              Warning: {warning}
            </div>
          ))}
          {row.notes?.map((note) => (
            <div key={note} className="field-hint">
              {note}
            </div>
          ))}
        </>
      ),
    },
  ];
}

/** Rows shown in full; beyond that only failures and notes are listed (a 2,000-object paste stays readable). */
const ALL_ROWS_UP_TO = 200;

/** The per-object table of a dry run or apply: document, object, outcome, and what Nestlab did to it. */
export function YamlResults({ result }: { result: DoneResult }) {
  const rows =
    result.results.length <= ALL_ROWS_UP_TO
      ? result.results
      : result.results
          .filter((row) => row.outcome === 'failed' || (row.notes?.length ?? 0) > 0 || (row.warnings?.length ?? 0) > 0)
          .slice(0, ALL_ROWS_UP_TO);
  return (
    <>
      <p className="form-status" data-testid="yaml-summary">
        {summaryOf(result)}
        {rows.length < result.results.length && ` Only the ${rows.length} objects with a failure, a warning or a note are listed.`}
      </p>
      {rows.length > 0 && (
        <DataTable
          caption={result.dryRun ? 'Dry run (nothing written)' : 'Applied'}
          captionVisible
          columns={resultColumns(result.dryRun)}
          rows={rows}
          rowKey={(_row, index) => String(index)}
        />
      )}
    </>
  );
}
