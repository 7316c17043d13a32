import type { Locator, Page } from 'playwright-core';

/** Page object for the Topology view: toolbar, the map's boxes, the details panel. */
export class TopologyPage {
  constructor(readonly page: Page) {}

  get map(): Locator {
    return this.page.getByTestId('topology-map');
  }

  get state(): Locator {
    return this.page.getByTestId('topology-state');
  }

  /** A box of the map by kind of box (node, group, service...) and name. */
  box(type: string, name: string): Locator {
    return this.map.locator(`[data-testid="topology-${type}"][data-name="${name}"]`);
  }

  node(name: string): Locator {
    return this.box('node', name);
  }

  group(name: string): Locator {
    return this.box('group', name);
  }

  async podCount(group: string): Promise<string | null> {
    return this.group(group).getByTestId('topology-pod-count').textContent();
  }

  get search(): Locator {
    return this.page.getByLabel('Search by name');
  }

  get details(): Locator {
    return this.page.getByRole('complementary', { name: 'Details' });
  }

  async fit(): Promise<void> {
    await this.page.getByRole('button', { name: /fit view/i }).click();
  }
}
