import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { VirtualTable, type VirtualColumn } from './VirtualTable';

interface Pod {
  name: string;
  restarts: number;
}

type Key = 'name' | 'restarts';

const columns: VirtualColumn<Pod, Key>[] = [
  { header: 'Name', rowHeader: true, sortKey: 'name', cell: (pod) => pod.name },
  { header: 'Restarts', sortKey: 'restarts', width: '6rem', cell: (pod) => String(pod.restarts) },
  { header: 'Actions', headerHidden: true, cell: (pod) => <button type="button">Logs of {pod.name}</button> },
];

const pods: Pod[] = Array.from({ length: 30_000 }, (_, i) => ({ name: `pod-${i}`, restarts: i % 5 }));

const render = (rows: Pod[] = pods) =>
  renderToStaticMarkup(
    <VirtualTable
      columns={columns}
      rows={rows}
      rowKey={(pod) => pod.name}
      rowHeight={36}
      caption="Pods"
      sort={{ key: 'restarts', direction: 'descending' }}
      onSort={() => undefined}
      rowAttributes={(pod) => ({ 'data-pod': pod.name })}
    />,
  );

describe('VirtualTable', () => {
  it('draws only the rows in view and the overscan, with one spacer standing for the other 29,978', () => {
    const html = render();
    // Unmeasured, the view is 600 px: 16 rows of 36 px below the header, one cut, 5 overscan.
    expect(html.match(/<tr data-pod=/g)).toHaveLength(22);
    expect(html).toContain('data-pod="pod-21"');
    expect(html).not.toContain('data-pod="pod-22"');
    expect(html).toContain(`<td colSpan="3" style="height:${(30_000 - 22) * 36}px"></td>`);
    expect(html).toContain('aria-rowcount="30001"');
  });

  it('tells where each row is in the whole list, and puts one row in the Tab order', () => {
    const html = render();
    expect(html).toContain('<tr data-pod="pod-0" data-row-index="0" aria-rowindex="2" tabindex="0"');
    expect(html).toContain('<tr data-pod="pod-1" data-row-index="1" aria-rowindex="3" tabindex="-1"');
  });

  it('heads sortable columns with buttons and aria-sort, the sorted one with its direction', () => {
    const html = render();
    expect(html).toContain(
      '<th scope="col" aria-sort="none"><button type="button" class="sort-button">Name<span aria-hidden="true" class="sort-mark"></span></button></th>',
    );
    expect(html).toContain('<th scope="col" aria-sort="descending"><button type="button" class="sort-button">Restarts');
    expect(html).toContain('<th scope="col"><span class="visually-hidden">Actions</span></th>');
    expect(html).toContain('<col style="width:6rem"/>');
  });

  it('is as high as a few rows need, and draws no spacer without hidden rows', () => {
    const html = render(pods.slice(0, 3));
    expect(html.match(/<tr data-pod=/g)).toHaveLength(3);
    expect(html).not.toContain('colSpan');
    expect(html).toContain(`height:min(70vh, ${3 * 36 + 36 + 2}px)`);
  });
});
