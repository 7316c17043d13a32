import type { Locator, Page } from 'playwright-core';

/** Page object for the Apps view: catalog cards, the deploy form, installed apps and their sliders, custom YAML. */
export class AppsPage {
  constructor(readonly page: Page) {}

  catalogCard(title: string): Locator {
    return this.page.getByRole('listitem').filter({ has: this.page.getByRole('heading', { level: 3, name: title, exact: true }) });
  }

  deployForm(title: string): Locator {
    return this.page.getByRole('form', { name: `Deploy ${title}` });
  }

  async deploy(title: string, namespace: string): Promise<void> {
    await this.page.getByRole('button', { name: `Deploy ${title}`, exact: true }).click();
    const form = this.deployForm(title);
    await form.getByLabel('Namespace', { exact: true }).fill(namespace);
    await form.getByRole('button', { name: 'Deploy now' }).click();
  }

  /** The Cluster picker: the imported contexts, the active one marked. */
  get contextPicker(): Locator {
    return this.page.getByRole('combobox', { name: 'Cluster', exact: true });
  }

  /** The card of an installed instance. */
  instance(instance: string): Locator {
    return this.page.locator(`li.app-instance[data-instance="${instance}"]`);
  }

  slider(instance: string, deployment: string): Locator {
    return this.instance(instance).getByRole('slider', { name: deployment });
  }

  counts(instance: string, deployment: string): Locator {
    return this.instance(instance).getByTestId(`counts-${deployment}`);
  }

  openLink(instance: string): Locator {
    return this.instance(instance).getByRole('link', { name: /^Open http/ });
  }

  get yamlEditor(): Locator {
    return this.page.getByLabel('YAML', { exact: true });
  }

  get yamlResults(): Locator {
    return this.page.locator('.yaml-results');
  }

  /** Loads YAML through "Open a YAML file" (a big paste is one change, not a typed one). */
  async openYamlFile(name: string, text: string): Promise<void> {
    await this.page
      .getByLabel('Open a YAML file', { exact: true })
      .setInputFiles({ name, mimeType: 'application/yaml', buffer: Buffer.from(text) });
    await this.page.waitForFunction(
      (length) => (document.getElementById('yaml-text') as HTMLTextAreaElement).value.length === length,
      text.length,
      {
        timeout: 60_000,
      },
    );
  }

  get yamlNamespace(): Locator {
    return this.page.getByLabel('Namespace for objects that name none', { exact: true });
  }

  /** Dry run, Apply, Cancel, "Create namespace X"... of the custom YAML panel. */
  yamlButton(name: string | RegExp): Locator {
    return this.page.getByRole('region', { name: 'Custom YAML' }).getByRole('button', { name, exact: typeof name === 'string' });
  }

  /** "Dry run: 120 of 2,000 · ConfigMap bulk/bulk-7" while a dry run or apply runs. */
  get yamlProgress(): Locator {
    return this.page.getByTestId('yaml-progress');
  }

  /** "Dry run (nothing written): 3 would be created." */
  get yamlSummary(): Locator {
    return this.page.getByTestId('yaml-summary');
  }

  /** The result row of one object, by "Kind namespace/name". */
  yamlRow(object: string): Locator {
    return this.yamlResults.getByRole('row').filter({ has: this.page.getByRole('cell', { name: object, exact: true }) });
  }
}
