import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

export interface HostFormValues {
  name: string;
  address: string;
  port: string;
  user: string;
  password?: string;
  /** Sign in with ssh-agent (the form's first choice may differ). */
  agent?: boolean;
  sudoPassword?: string;
}

/** Page object for the Hosts view: the inventory, the host form, the key dialog, the preflight. */
export class HostsPage {
  constructor(readonly page: Page) {}

  get addButton(): Locator {
    return this.page.getByRole('button', { name: 'Add host', exact: true }).first();
  }

  get formDialog(): Locator {
    return this.page.getByRole('dialog', { name: /^(Add a lab host|Edit .*)$/ });
  }

  /** A text or password field of the form (the sign-in radios share some labels, e.g. Password). */
  field(label: string): Locator {
    return this.formDialog.getByRole('textbox', { name: label, exact: true });
  }

  fieldError(label: string): Locator {
    return this.formDialog
      .locator('.field')
      .filter({ has: this.page.getByRole('textbox', { name: label, exact: true }) })
      .locator('.field-error');
  }

  async openAddForm(): Promise<void> {
    await this.addButton.click();
    await this.formDialog.waitFor();
  }

  async fillForm(values: HostFormValues): Promise<void> {
    await this.field('Name').fill(values.name);
    await this.field('Address').fill(values.address);
    await this.field('Port').fill(values.port);
    await this.field('User').fill(values.user);
    if (values.agent === true) await this.formDialog.getByRole('radio', { name: 'ssh-agent', exact: true }).check();
    if (values.password !== undefined) {
      await this.formDialog.getByRole('radio', { name: 'Password', exact: true }).check();
      await this.field('Password').fill(values.password);
    }
    if (values.sudoPassword !== undefined) await this.field('sudo password (optional)').fill(values.sudoPassword);
  }

  /** Submits with Enter from the focused field, as a keyboard user would. */
  async submitWithEnter(): Promise<void> {
    await this.field('User').press('Enter');
  }

  get keyDialog(): Locator {
    return this.page.getByRole('dialog', { name: /^Trust the host key of / });
  }

  get keyFingerprint(): Locator {
    return this.keyDialog.getByTestId('host-key-fingerprint');
  }

  get keyType(): Locator {
    return this.keyDialog.getByTestId('host-key-type');
  }

  async acceptKey(): Promise<void> {
    await this.keyDialog.getByRole('button', { name: 'Accept and connect' }).click();
    await this.keyDialog.waitFor({ state: 'detached' });
  }

  /** Adds a host through the form, accepts its key and waits until it is connected. */
  async addTrusted(values: HostFormValues): Promise<void> {
    await this.openAddForm();
    await this.fillForm(values);
    await this.submitWithEnter();
    await this.keyDialog.waitFor();
    await this.acceptKey();
    await this.status(values.name).getByText('Connected').waitFor({ timeout: 20_000 });
  }

  /** The card of one host (a list item labelled by its name). */
  host(name: string): Locator {
    return this.page.getByRole('listitem', { name, exact: true });
  }

  status(name: string): Locator {
    return this.host(name).getByTestId('host-status');
  }

  async runPreflight(name: string): Promise<void> {
    await this.host(name)
      .getByRole('button', { name: /^Run preflight/ })
      .click();
  }

  preflightTable(name: string): Locator {
    return this.page.getByRole('table', { name: `Preflight checks of ${name}` });
  }

  checkRow(name: string, checkId: string): Locator {
    return this.preflightTable(name).locator(`tr[data-check="${checkId}"]`);
  }

  capacity(name: string): Locator {
    return this.host(name).getByRole('definition').filter({ hasText: 'logical' });
  }

  /** What went wrong with the last connection test, with the fix (errors other than host-key ones). */
  connectionProblem(name: string): Locator {
    return this.host(name).getByRole('group', { name: 'Connection problem' });
  }

  keyRefusal(name: string): Locator {
    return this.host(name).getByRole('group', { name: 'Host key refused' });
  }

  async testConnection(name: string): Promise<void> {
    await this.host(name).getByRole('button', { name: 'Test connection' }).click();
  }

  /** A screenshot in test-results/screenshots, or docs/screenshots with NESTLAB_UPDATE_SCREENSHOTS=1. */
  async screenshotIfAsked(name: string): Promise<void> {
    const dir = process.env.NESTLAB_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
    await mkdir(dir, { recursive: true });
    await this.page.screenshot({ path: join(dir, name) });
  }
}
