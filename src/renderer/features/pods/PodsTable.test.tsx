import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { PodSummary } from '../../../shared/contract';
import { StoreProvider } from '../../store/store-context';
import { storeOver } from '../../store/store.test-support';
import { PodsTable } from './PodsTable';

const pods: PodSummary[] = Array.from({ length: 30_000 }, (_, i) => ({
  name: `web-${String(i).padStart(5, '0')}`,
  namespace: `ns-${i % 3}`,
  phase: i === 29_000 ? 'Pending' : 'Running',
  readyContainers: 1,
  totalContainers: 1,
  restarts: 0,
  containers: i === 7 ? ['app', 'sidecar'] : ['app'],
  ports: [80],
  node: 'node-1',
  created: '2026-01-01T00:00:00Z',
  owner: { kind: 'Deployment', name: 'web' },
  ...(i === 25_000 ? { reason: 'CrashLoopBackOff' } : {}),
}));

function render(rows: PodSummary[]): string {
  const { store } = storeOver();
  return renderToStaticMarkup(
    <StoreProvider store={store}>
      <PodsTable context="lab" pods={rows} now={Date.parse('2026-01-01T01:00:00Z')} onForward={() => undefined} />
    </StoreProvider>,
  );
}

describe('PodsTable', () => {
  it('puts the failing and pending pods of 30,000 first, counts them and the rows, and draws only a screenful', () => {
    const html = render(pods);
    expect(html).toContain('30,000 of 30,000 pods');
    expect(html).toContain('Only problems: 1 failing, 1 pending');
    const drawn = [...html.matchAll(/<tr data-pod="([^"]+)" data-namespace="[^"]+" data-health="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(drawn.slice(0, 2)).toEqual([
      ['web-25000', 'failing'],
      ['web-29000', 'pending'],
    ]);
    expect(drawn.length).toBeLessThan(30);
    expect(html).toContain('aria-sort="ascending"><button type="button" class="sort-button">Status');
    // Namespaces to pick from, with their pods.
    expect(html).toContain('<option value="ns-1">ns-1 (10,000)</option>');
  });

  it('keeps the actions of each row as they were, and a container picker for a pod with several', () => {
    const html = render(pods.slice(0, 10));
    expect(html).toContain('aria-label="Logs of web-00003"');
    expect(html).toContain('aria-label="All web logs: every pod of the Deployment"');
    for (const action of ['Events of', 'Details of', 'Exec into', 'Forward a port of'])
      expect(html).toContain(`aria-label="${action} web-00003"`);
    expect(html).toContain('aria-label="Container of web-00007"');
    expect(html).toContain('No problems');
    expect(html).toContain('10 of 10 pods');
  });

  it('says when there are no pods', () => {
    expect(render([])).toContain('No pods here.');
  });
});
