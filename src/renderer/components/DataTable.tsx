import type { ReactNode } from 'react';
import './data-table.css';

/** One column: its header and what each row shows in it. */
export interface Column<Row> {
  /** The header's words; an actions or logs column keeps them for screen readers only (`headerHidden`). */
  header: string;
  headerHidden?: boolean;
  /** The column that names its row: its cells are row headers (`<th scope="row">`). */
  rowHeader?: boolean;
  cell: (row: Row) => ReactNode;
  /** A class for the column's cells, the same for every row or chosen per row. */
  className?: string | ((row: Row) => string | undefined);
  /** A test id on each of the column's cells. */
  testId?: string;
}

/** What a row carries besides its cells: a class, `aria-current`, and data attributes tests find it by. */
export type RowAttributes = { className?: string; 'aria-current'?: 'true' } & { [name: `data-${string}`]: string | undefined };

/**
 * A table of rows under column headers (`<th scope="col">`), named by its caption: shown above
 * the table with `captionVisible`, else for screen readers only. `compact` is the denser form for
 * panels (pods, events, snapshots); `empty` is the row shown when there are no rows.
 */
export function DataTable<Row>({
  columns,
  rows,
  rowKey,
  caption,
  captionVisible = false,
  compact = false,
  className,
  empty,
  rowAttributes,
}: {
  columns: Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => string;
  caption?: string;
  captionVisible?: boolean;
  compact?: boolean;
  className?: string;
  empty?: ReactNode;
  rowAttributes?: (row: Row) => RowAttributes;
}) {
  const classes = ['data-table', compact ? 'data-table-compact' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <table className={classes}>
      {caption !== undefined && <caption className={captionVisible ? undefined : 'visually-hidden'}>{caption}</caption>}
      <thead>
        <tr>
          {columns.map((column) => (
            <th key={column.header} scope="col" className={typeof column.className === 'string' ? column.className : undefined}>
              {column.headerHidden ? <span className="visually-hidden">{column.header}</span> : column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={rowKey(row, index)} {...rowAttributes?.(row)}>
            <TableCells columns={columns} row={row} />
          </tr>
        ))}
        {rows.length === 0 && empty !== undefined && (
          <tr>
            <td colSpan={columns.length} className="muted">
              {empty}
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

/** The cells of one row: a row header (`th scope="row"`) where the column says so, else `td`. */
export function TableCells<Row>({ columns, row }: { columns: readonly Column<Row>[]; row: Row }) {
  return (
    <>
      {columns.map((column) => {
        const Cell = column.rowHeader ? 'th' : 'td';
        const cellClass = typeof column.className === 'function' ? column.className(row) : column.className;
        return (
          <Cell
            key={column.header}
            scope={column.rowHeader ? 'row' : undefined}
            className={cellClass || undefined}
            data-testid={column.testId}
          >
            {column.cell(row)}
          </Cell>
        );
      })}
    </>
  );
}
