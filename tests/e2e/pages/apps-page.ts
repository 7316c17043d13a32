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
}
