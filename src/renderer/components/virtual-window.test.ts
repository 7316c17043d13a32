import { describe, expect, it } from 'vitest';
import { rowForKey, rowsPerPage, rowWindow, scrollToShow } from './virtual-window';

const base = { viewportHeight: 436, headerHeight: 36, rowHeight: 40, rowCount: 30_000, overscan: 5 };

describe('rowWindow', () => {
  it('draws the visible rows and the overscan, and spacers for every other row', () => {
    // 400 px below the header hold 10 rows; one more for a row cut at the edge.
    expect(rowWindow({ ...base, scrollTop: 0 })).toEqual({ first: 0, end: 16, spaceAbove: 0, spaceBelow: (30_000 - 16) * 40 });
    expect(rowWindow({ ...base, scrollTop: 40 * 1000 + 15 })).toEqual({
      first: 995,
      end: 1016,
      spaceAbove: 995 * 40,
      spaceBelow: (30_000 - 1016) * 40,
    });
  });

  it('stays inside the rows at the end, past it (elastic scroll) and with few rows', () => {
    expect(rowWindow({ ...base, scrollTop: 40 * 30_000 })).toMatchObject({ first: 29_995, end: 30_000, spaceBelow: 0 });
    expect(rowWindow({ ...base, scrollTop: -50, rowCount: 3 })).toEqual({ first: 0, end: 3, spaceAbove: 0, spaceBelow: 0 });
    expect(rowWindow({ ...base, scrollTop: 0, rowCount: 0 })).toEqual({ first: 0, end: 0, spaceAbove: 0, spaceBelow: 0 });
  });
});

describe('keys', () => {
  it('moves by one, by a page, to the first and the last row, and stops at the ends', () => {
    const page = rowsPerPage(base.viewportHeight, base.headerHeight, base.rowHeight);
    expect(page).toBe(10);
    expect(rowForKey('ArrowDown', 4, 100, page)).toBe(5);
    expect(rowForKey('ArrowUp', 0, 100, page)).toBe(0);
    expect(rowForKey('PageDown', 95, 100, page)).toBe(99);
    expect(rowForKey('PageUp', 15, 100, page)).toBe(5);
    expect(rowForKey('Home', 50, 100, page)).toBe(0);
    expect(rowForKey('End', 50, 100, page)).toBe(99);
    expect(rowForKey('Enter', 50, 100, page)).toBeUndefined();
    expect(rowForKey('ArrowDown', 0, 0, page)).toBeUndefined();
    expect(rowsPerPage(20, 36, 40)).toBe(1);
  });
});

describe('scrollToShow', () => {
  it('scrolls just enough to show a row below the sticky header, and not at all for a visible one', () => {
    // Row 20 spans 800-840 in the body; it is visible with the scroll between 440 and 800.
    expect(scrollToShow(20, 0, 436, 36, 40)).toBe(440);
    expect(scrollToShow(20, 1000, 436, 36, 40)).toBe(800);
    expect(scrollToShow(20, 600, 436, 36, 40)).toBe(600);
    expect(scrollToShow(0, 600, 436, 36, 40)).toBe(0);
  });
});
