import type { Locator, Page } from 'playwright-core';

/** Page object for the Clusters view: import, context cards, diagnosis, nodes. */
export class ClustersPage {
  constructor(readonly page: Page) {}

  get pathField(): Locator {
    return this.page.getByLabel('Kubeconfig path', { exact: true });
  }

  get fileInput(): Locator {
    return this.page.getByLabel('Or choose a file', { exact: true });
  }

  async importPath(path: string): Promise<void> {
    await this.pathField.fill(path);
    await this.page.getByRole('button', { name: 'Import path', exact: true }).click();
  }

  async importFile(name: string, text: string): Promise<void> {
    await this.fileInput.setInputFiles({ name, mimeType: 'application/yaml', buffer: Buffer.from(text) });
  }

  /** The card of one context (a list item labelled by its name). */
  context(name: string): Locator {
    return this.page.getByRole('listitem', { name, exact: true });
  }

  status(name: string): Locator {
    return this.context(name).getByTestId('context-status');
  }

  diagnosis(name: string): Locator {
    return this.context(name).getByRole('group', { name: 'Diagnosis' });
  }

  nodesTable(context: string): Locator {
    return this.page.getByRole('table', { name: `Nodes of ${context}` });
  }

  nodeRow(context: string, node: string): Locator {
    return this.nodesTable(context).getByRole('row').filter({ hasText: node });
  }

  get importProblems(): Locator {
    return this.page.getByRole('alert').filter({ hasText: 'Nothing was imported' });
  }
}
