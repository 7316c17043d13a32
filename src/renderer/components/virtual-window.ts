/**
 * The arithmetic of a virtualised list of fixed-height rows under a sticky header: which rows
 * are drawn for a scroll position, where a key moves the focus, and the scroll that shows a row.
 * Fixed heights let every row's place be computed, never measured.
 */

export interface WindowInput {
  scrollTop: number;
  /** The scroller's inner height, header included. */
  viewportHeight: number;
  headerHeight: number;
  rowHeight: number;
  rowCount: number;
  /** Rows drawn beyond each edge, so a quick scroll shows no blank. */
  overscan: number;
}

/** Rows [first, end) are drawn; the spacers above and below stand for the rest. */
export interface RowWindow {
  first: number;
  end: number;
  spaceAbove: number;
  spaceBelow: number;
}

export function rowWindow({ scrollTop, viewportHeight, headerHeight, rowHeight, rowCount, overscan }: WindowInput): RowWindow {
  const topRow = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visibleRows = Math.ceil(Math.max(0, viewportHeight - headerHeight) / rowHeight) + 1;
  const first = Math.min(rowCount, Math.max(0, topRow - overscan));
  const end = Math.min(rowCount, topRow + visibleRows + overscan);
  return { first, end, spaceAbove: first * rowHeight, spaceBelow: (rowCount - end) * rowHeight };
}

/** Rows a PageUp or PageDown moves: the rows that fit below the header, at least one. */
export function rowsPerPage(viewportHeight: number, headerHeight: number, rowHeight: number): number {
  return Math.max(1, Math.floor((viewportHeight - headerHeight) / rowHeight));
}

/** The row a key moves the focus to, or undefined for a key the list does not take. */
export function rowForKey(key: string, current: number, rowCount: number, pageRows: number): number | undefined {
  if (rowCount === 0) return undefined;
  const last = rowCount - 1;
  const clamp = (row: number) => Math.min(last, Math.max(0, row));
  switch (key) {
    case 'ArrowDown':
      return clamp(current + 1);
    case 'ArrowUp':
      return clamp(current - 1);
    case 'PageDown':
      return clamp(current + pageRows);
    case 'PageUp':
      return clamp(current - pageRows);
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return undefined;
  }
}

/** The scrollTop closest to `scrollTop` at which `row` is wholly visible below the sticky header. */
export function scrollToShow(row: number, scrollTop: number, viewportHeight: number, headerHeight: number, rowHeight: number): number {
  const top = row * rowHeight;
  const lowest = headerHeight + top + rowHeight - viewportHeight;
  if (scrollTop > top) return top;
  if (scrollTop < lowest) return lowest;
  return scrollTop;
}
