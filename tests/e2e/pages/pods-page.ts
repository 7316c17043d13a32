import type { Locator, Page } from 'playwright-core';
import { AppPage } from './app-page';

/** Page object for the Pods view: the pods table and its actions, the logs view, port-forwards. */
export class PodsPage extends AppPage {
  constructor(page: Page) {
    super(page);
  }

  /** Lists the pods of a namespace. */
  async showNamespace(namespace: string): Promise<void> {
    await this.page.getByLabel('Namespace (empty: all)', { exact: true }).fill(namespace);
    await this.page.getByRole('button', { name: /^(Show pods|Loading…)$/ }).click();
  }

  /** The Cluster picker: the imported contexts, the active one marked. */
  get contextPicker(): Locator {
    return this.page.getByRole('combobox', { name: 'Cluster', exact: true });
  }

  row(pod: string): Locator {
    return this.page.locator(`tr[data-pod="${pod}"]`);
  }

  /** Names of the listed pods that start with `prefix`. */
  async podNames(prefix: string): Promise<string[]> {
    const names = await this.page.locator('tr[data-pod]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-pod') ?? ''));
    return names.filter((name) => name.startsWith(prefix));
  }

  /** A field of the list's filters: Name, Show namespace, Labels. */
  filterField(label: 'Name' | 'Show namespace' | 'Labels'): Locator {
    return this.page.getByRole('search', { name: 'Filter the pods' }).getByLabel(label, { exact: true });
  }

  /** "N of M pods". */
  get count(): Locator {
    return this.page.getByTestId('pods-count');
  }

  columnHeader(name: string): Locator {
    return this.page.getByTestId('pods-table').getByRole('columnheader', { name, exact: true });
  }

  /** The pod of the row that has the focus (undefined when no row has it). */
  focusedPod(): Promise<string | undefined> {
    return this.page.evaluate(() => document.activeElement?.closest('tr[data-pod]')?.getAttribute('data-pod') ?? undefined);
  }

  action(pod: string, label: string): Locator {
    return this.page.getByRole('button', { name: `${label} ${pod}`, exact: true });
  }

  get logs(): Locator {
    return this.page.getByTestId('log-lines');
  }

  get logStatus(): Locator {
    return this.page.getByTestId('log-status');
  }

  /** The log lines in the DOM now (only the visible ones are rendered). */
  async renderedLogLines(): Promise<string[]> {
    return this.logs.locator('.log-row').allTextContents();
  }

  /** How many lines the view holds, from its status ("Following · 123 lines"). */
  async lineCount(): Promise<number> {
    const text = (await this.logStatus.textContent()) ?? '';
    return Number(/([\d,]+) lines/.exec(text)?.[1]?.replace(/,/g, '') ?? 0);
  }

  forwardForm(pod: string): Locator {
    return this.page.getByRole('form', { name: `Forward pod ${pod}` });
  }

  get forwardUrls(): Locator {
    return this.page.getByTestId('forward-url');
  }
}
