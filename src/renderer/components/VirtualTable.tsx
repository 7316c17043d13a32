import { memo, useCallback, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { TableCells, type Column, type RowAttributes } from './DataTable';
import { rowForKey, rowsPerPage, rowWindow, scrollToShow } from './virtual-window';
import './data-table.css';
import './virtual-table.css';

/** A DataTable column that can also sort the rows: its header is then a button. */
export interface VirtualColumn<Row, Key extends string> extends Column<Row> {
  sortKey?: Key;
  /** A CSS width (table-layout is fixed, so columns do not shift as rows scroll by); absent: what is left. */
  width?: string;
}

export interface TableSort<Key extends string> {
  key: Key;
  direction: 'ascending' | 'descending';
}

/** Rows drawn beyond each edge of the view. */
const OVERSCAN = 5;
/** The view's height when it cannot be measured (server rendering, a hidden view). */
const FALLBACK_HEIGHT = 600;

/**
 * A table of many rows (tens of thousands) of one fixed height: only the rows in view and a few
 * more are in the DOM, with spacer rows standing for the rest, under a sticky header. Sortable
 * columns have buttons in their headers and `aria-sort`. Rows take the focus in turn (one is in
 * the Tab order): arrow keys, PageUp/PageDown, Home and End move it and scroll to it; Enter hands
 * the row to `onRowEnter` (e.g. to focus its first action); Escape inside a row returns to it.
 * `aria-rowcount`/`aria-rowindex` tell screen readers where a row is in the whole list.
 */
export function VirtualTable<Row, Key extends string>({
  columns,
  rows,
  rowKey,
  rowHeight,
  caption,
  sort,
  onSort,
  rowAttributes,
  onRowEnter,
  className,
  maxHeight = '70vh',
  testId,
}: {
  columns: VirtualColumn<Row, Key>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** Pixels; every row is exactly this high (the CSS clips what does not fit). */
  rowHeight: number;
  caption: string;
  sort?: TableSort<Key>;
  onSort?: (key: Key) => void;
  rowAttributes?: (row: Row) => RowAttributes;
  onRowEnter?: (row: Row, element: HTMLTableRowElement) => void;
  className?: string;
  /** The scroller's height at most (CSS length); less when the rows need less. */
  maxHeight?: string;
  testId?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const header = useRef<HTMLTableSectionElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState({ height: FALLBACK_HEIGHT, header: rowHeight });
  const [active, setActive] = useState(0);
  /** The row to focus once it is drawn (after a key moved the focus there). */
  const focusRow = useRef<number | undefined>(undefined);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () =>
      setViewport((previous) => {
        const height = element.clientHeight || FALLBACK_HEIGHT;
        const headerHeight = header.current?.offsetHeight || rowHeight;
        return previous.height === height && previous.header === headerHeight ? previous : { height, header: headerHeight };
      });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [rowHeight]);

  const drawn = rowWindow({
    scrollTop,
    viewportHeight: viewport.height,
    headerHeight: viewport.header,
    rowHeight,
    rowCount: rows.length,
    overscan: OVERSCAN,
  });
  const current = Math.min(active, Math.max(0, rows.length - 1));
  // One row is always in the Tab order: the focused one while drawn, else the first drawn.
  const tabStop = current >= drawn.first && current < drawn.end ? current : drawn.first;

  useLayoutEffect(() => {
    const row = focusRow.current;
    if (row === undefined) return;
    focusRow.current = undefined;
    scroller.current?.querySelector<HTMLTableRowElement>(`tr[data-row-index="${row}"]`)?.focus({ preventScroll: true });
  });

  const onScroll = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    // Only a change of the first drawn row re-renders (not every pixel).
    const next = element.scrollTop;
    setScrollTop((previous) => (Math.floor(previous / rowHeight) === Math.floor(next / rowHeight) ? previous : next));
  }, [rowHeight]);

  const onKeyDown = (event: KeyboardEvent<HTMLTableSectionElement>) => {
    const target = event.target as HTMLElement;
    const rowElement = target.closest<HTMLTableRowElement>('tr[data-row-index]');
    if (!rowElement) return;
    const index = Number(rowElement.dataset.rowIndex);
    if (target !== rowElement) {
      if (event.key === 'Escape') {
        event.preventDefault();
        rowElement.focus();
      }
      return;
    }
    if (event.key === 'Enter') {
      const row = rows[index];
      if (row !== undefined && onRowEnter) {
        event.preventDefault();
        onRowEnter(row, rowElement);
      }
      return;
    }
    const next = rowForKey(event.key, index, rows.length, rowsPerPage(viewport.height, viewport.header, rowHeight));
    if (next === undefined) return;
    event.preventDefault();
    setActive(next);
    focusRow.current = next;
    const element = scroller.current;
    if (element) {
      const top = scrollToShow(next, element.scrollTop, viewport.height, viewport.header, rowHeight);
      element.scrollTop = top;
      setScrollTop(top);
    }
  };

  const classes = ['data-table', 'data-table-compact', 'virtual-table', className ?? ''].filter(Boolean).join(' ');
  const bodyHeight = rows.length * rowHeight;
  return (
    <div
      ref={scroller}
      className="virtual-table-scroller"
      style={{ height: `min(${maxHeight}, ${bodyHeight + viewport.header + 2}px)` }}
      onScroll={onScroll}
      data-testid={testId}
    >
      <table className={classes} aria-rowcount={rows.length + 1}>
        <caption className="visually-hidden">{caption}</caption>
        <colgroup>
          {columns.map((column) => (
            <col key={column.header} style={column.width ? { width: column.width } : undefined} />
          ))}
        </colgroup>
        <thead ref={header}>
          <tr aria-rowindex={1}>
            {columns.map((column) => {
              const sorted = sort !== undefined && column.sortKey !== undefined && sort.key === column.sortKey;
              const label = column.headerHidden ? <span className="visually-hidden">{column.header}</span> : column.header;
              return (
                <th
                  key={column.header}
                  scope="col"
                  className={typeof column.className === 'string' ? column.className : undefined}
                  aria-sort={column.sortKey === undefined ? undefined : sorted ? sort.direction : 'none'}
                >
                  {column.sortKey !== undefined && onSort ? (
                    <button type="button" className="sort-button" onClick={() => onSort(column.sortKey!)}>
                      {label}
                      <span aria-hidden="true" className="sort-mark">
                        {sorted ? (sort.direction === 'ascending' ? '▲' : '▼') : ''}
                      </span>
                    </button>
                  ) : (
                    label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody onKeyDown={onKeyDown}>
          {drawn.spaceAbove > 0 && <Spacer height={drawn.spaceAbove} columns={columns.length} />}
          {rows.slice(drawn.first, drawn.end).map((row, offset) => {
            const index = drawn.first + offset;
            return (
              <VirtualRow
                key={rowKey(row)}
                row={row}
                index={index}
                tabbable={index === tabStop}
                columns={columns}
                rowHeight={rowHeight}
                rowAttributes={rowAttributes}
                onFocusRow={setActive}
              />
            );
          })}
          {drawn.spaceBelow > 0 && <Spacer height={drawn.spaceBelow} columns={columns.length} />}
        </tbody>
      </table>
    </div>
  );
}

interface VirtualRowProps<Row, Key extends string> {
  row: Row;
  index: number;
  tabbable: boolean;
  columns: VirtualColumn<Row, Key>[];
  rowHeight: number;
  rowAttributes: ((row: Row) => RowAttributes) | undefined;
  onFocusRow: (index: number) => void;
}

/** One drawn row; memoised, so a scroll renders only the rows that come into view. */
const VirtualRow = memo(function VirtualRow<Row, Key extends string>({
  row,
  index,
  tabbable,
  columns,
  rowHeight,
  rowAttributes,
  onFocusRow,
}: VirtualRowProps<Row, Key>) {
  return (
    <tr
      {...rowAttributes?.(row)}
      data-row-index={index}
      aria-rowindex={index + 2}
      tabIndex={tabbable ? 0 : -1}
      style={{ height: rowHeight }}
      // Focus on the row or one of its actions: the keys go on from this row.
      onFocus={() => onFocusRow(index)}
    >
      <TableCells columns={columns} row={row} />
    </tr>
  );
}) as <Row, Key extends string>(props: VirtualRowProps<Row, Key>) => ReactElement;

/** Stands for the rows not drawn above or below the view. */
function Spacer({ height, columns }: { height: number; columns: number }) {
  return (
    <tr aria-hidden="true" className="virtual-spacer">
      <td colSpan={columns} style={{ height }} />
    </tr>
  );
}
