import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Column } from './DataTable';
import { DataTable } from './DataTable';

interface Machine {
  name: string;
  state: string;
}

const columns: Column<Machine>[] = [
  { header: 'VM', rowHeader: true, cell: (machine) => machine.name },
  {
    header: 'State',
    className: (machine) => (machine.state === 'failed' ? 'field-error' : undefined),
    testId: 'state',
    cell: (m) => m.state,
  },
  { header: 'Actions', headerHidden: true, cell: () => <button type="button">Stop</button> },
];

const machines: Machine[] = [
  { name: 'cp1', state: 'joined' },
  { name: 'w1', state: 'failed' },
];

const render = (props: Partial<Parameters<typeof DataTable<Machine>>[0]> = {}) =>
  renderToStaticMarkup(<DataTable columns={columns} rows={machines} rowKey={(machine) => machine.name} caption="Machines" {...props} />);

describe('DataTable', () => {
  it('heads every column with <th scope="col">, keeps a hidden header for screen readers, and names each row by its row header', () => {
    const html = render();
    expect(html).toContain(
      '<th scope="col">VM</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th>',
    );
    expect(html).toContain(
      '<tr><th scope="row">cp1</th><td data-testid="state">joined</td><td><button type="button">Stop</button></td></tr>',
    );
  });

  it('gives a cell its class for its row only', () => {
    const html = render();
    expect(html).toContain('<td data-testid="state">joined</td>');
    expect(html).toContain('<td class="field-error" data-testid="state">failed</td>');
  });

  it('names the table by a caption, for screen readers only unless asked to show it', () => {
    expect(render()).toContain('<caption class="visually-hidden">Machines</caption>');
    expect(render({ captionVisible: true })).toContain('<caption>Machines</caption>');
    expect(render({ caption: undefined })).not.toContain('<caption');
  });

  it('puts the row attributes on each row', () => {
    const html = render({
      rowAttributes: (machine) => ({ 'data-machine': machine.name, 'aria-current': machine.name === 'w1' ? 'true' : undefined }),
    });
    expect(html).toContain('<tr data-machine="cp1">');
    expect(html).toContain('<tr data-machine="w1" aria-current="true">');
  });

  it('shows the empty row across every column when there are no rows, and nothing extra when there are', () => {
    expect(render({ rows: [], empty: 'No machines yet.' })).toContain(
      '<tbody><tr><td colSpan="3" class="muted">No machines yet.</td></tr></tbody>',
    );
    expect(render({ empty: 'No machines yet.' })).not.toContain('No machines yet.');
  });

  it('uses the compact form and a class of its own when asked', () => {
    expect(render({ compact: true, className: 'lab-machines' })).toMatch(/^<table class="data-table data-table-compact lab-machines">/);
    expect(render()).toMatch(/^<table class="data-table">/);
  });
});
