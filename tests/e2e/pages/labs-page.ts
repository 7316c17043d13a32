import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

/** Page object for the Labs view: the plan form, its check and dry run, the lab list, the open lab. */
export class LabsPage {
  constructor(readonly page: Page) {}

  get planButton(): Locator {
    return this.page.getByRole('button', { name: 'Plan a lab', exact: true });
  }

  get form(): Locator {
    return this.page.getByRole('form', { name: 'Lab plan' });
  }

  /** A text box or select of the form, by its label. */
  field(label: string): Locator {
    return this.form.getByLabel(label, { exact: true });
  }

  /** The error shown at a field, by the field's dotted plan path. */
  fieldError(path: string): Locator {
    return this.form.locator(`[data-field="${path}"] [data-field-error]`);
  }

  /** The accessible description of a form control: the texts of the elements its aria-describedby names. */
  async fieldDescription(label: string): Promise<string> {
    return this.field(label).evaluate((input) =>
      (input.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
  }

  radio(group: string, label: string): Locator {
    return this.form.getByRole('radiogroup', { name: group }).getByRole('radio', { name: label, exact: true });
  }

  slider(label: string, within: Locator = this.form): Locator {
    return within.getByRole('slider', { name: label, exact: true });
  }

  /** Moves a range input with the keyboard: Home, then the right arrow `value` times. */
  async setSlider(slider: Locator, value: number): Promise<void> {
    await slider.focus();
    await slider.press('Home');
    for (let i = 0; i < value; i++) await slider.press('ArrowRight');
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  get check(): Locator {
    return this.page.getByTestId('plan-check');
  }

  capacityLine(resource: 'cpu' | 'memory' | 'disk'): Locator {
    return this.check.locator(`li[data-resource="${resource}"]`);
  }

  get dryRun(): Locator {
    return this.page.getByTestId('dry-run');
  }

  dryRunStep(id: string): Locator {
    return this.dryRun.locator(`li[data-step="${id}"]`);
  }

  /** A lab's card in the list. */
  lab(name: string): Locator {
    return this.page.getByRole('list', { name: 'Labs' }).getByRole('listitem', { name, exact: true });
  }

  status(name: string): Locator {
    return this.lab(name).getByTestId('lab-status');
  }

  get detail(): Locator {
    return this.page.locator('#lab-detail');
  }

  /**
   * Plans and creates a kubeadm lab through the form on the stand-in host's base image, in the
   * documentation network 198.51.100.0/24, whose API endpoint is the test control plane on
   * 127.0.0.1:`apiServerPort`; resolves once the open lab is Ready.
   */
  async createLoopbackLab(options: { baseImage: string; apiServerPort: number; linuxWorkers: number }): Promise<void> {
    await this.planButton.click();
    await this.form.waitFor();
    await this.field('Linux base image on the host').fill(options.baseImage);
    await this.setSlider(this.slider('Linux workers'), options.linuxWorkers);
    await this.field('Network (CIDR)').fill('198.51.100.0/24');
    await this.field('Address pool start').fill('198.51.100.100');
    await this.field('Address pool end').fill('198.51.100.199');
    await this.field('LoadBalancer range start (MetalLB)').fill('198.51.100.200');
    await this.field('LoadBalancer range end').fill('198.51.100.239');
    await this.field('API endpoint address').fill('198.51.100.10');
    await this.field('API endpoint (VIP or DNS name)').fill('127.0.0.1');
    await this.field('API port').fill(String(options.apiServerPort));
    await this.button('Create lab').click();
    // A refused plan keeps the form open: its text says why.
    await this.form.waitFor({ state: 'detached', timeout: 30_000 }).catch(async (error: unknown) => {
      throw new Error(`the lab was not created:\n${await this.form.innerText()}`, { cause: error });
    });
    await this.detail.waitFor();
    await this.detailStatus.getByText('Ready', { exact: true }).waitFor({ timeout: 240_000 });
  }

  /**
   * A lab whose API endpoint Nestlab serves: the default endpoint name, in a TEST-NET lab network
   * (198.51.100.0/24; a test host with a network of its own has it locally), port 6443.
   */
  async createServedLab(options: { baseImage: string; linuxWorkers: number }): Promise<void> {
    await this.planButton.click();
    await this.form.waitFor();
    await this.field('Linux base image on the host').fill(options.baseImage);
    await this.setSlider(this.slider('Linux workers'), options.linuxWorkers);
    await this.field('Network (CIDR)').fill('198.51.100.0/24');
    await this.button('Create lab').click();
    await this.form.waitFor({ state: 'detached', timeout: 30_000 }).catch(async (error: unknown) => {
      throw new Error(`the lab was not created:\n${await this.form.innerText()}`, { cause: error });
    });
    await this.detail.waitFor();
    await this.detailStatus.getByText('Ready', { exact: true }).waitFor({ timeout: 240_000 });
  }

  get detailStatus(): Locator {
    return this.detail.getByTestId('lab-detail-status');
  }

  stepRow(id: string): Locator {
    return this.detail.getByRole('table', { name: 'Steps' }).locator(`tr[data-step="${id}"]`);
  }

  stepRows(): Locator {
    return this.detail.getByRole('table', { name: 'Steps' }).locator('tbody tr');
  }

  machineRow(name: string): Locator {
    return this.detail.getByRole('table', { name: 'Machines' }).locator(`tr[data-machine="${name}"]`);
  }

  get pools(): Locator {
    return this.detail.getByRole('region', { name: 'Node pools' });
  }

  get log(): Locator {
    return this.detail.getByRole('log');
  }

  /** The open lab's etcd snapshots panel. */
  get snapshots(): Locator {
    return this.detail.getByTestId('etcd-snapshots');
  }

  snapshotRows(): Locator {
    return this.snapshots.locator('tbody tr');
  }

  get restoreDialog(): Locator {
    return this.page.getByRole('dialog', { name: /^Restore / });
  }

  get deleteDialog(): Locator {
    return this.page.getByRole('dialog', { name: /^Delete lab / });
  }

  /**
   * Records, from the page itself, every step status and overall-progress value the open lab
   * shows (a run in the simulation takes seconds: polling from the test could miss the middle).
   */
  async recordProgress(): Promise<void> {
    await this.page.evaluate(`(() => {
      const seen = { statuses: [], progress: [] };
      window.__labProgress = seen;
      const look = () => {
        for (const row of document.querySelectorAll('#lab-detail tr[data-status]')) seen.statuses.push(row.getAttribute('data-status'));
        const bar = document.querySelector('#lab-detail .lab-operation [role="progressbar"]');
        if (bar) seen.progress.push(Number(bar.getAttribute('aria-valuenow')));
      };
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
    })()`);
  }

  async recordedProgress(): Promise<{ statuses: string[]; progress: number[] }> {
    return await this.page.evaluate<{ statuses: string[]; progress: number[] }>('window.__labProgress');
  }

  /**
   * A screenshot in test-results/screenshots, or docs/screenshots with NESTLAB_UPDATE_SCREENSHOTS=1.
   * `height` makes the window that tall for the picture (the view scrolls inside the window).
   */
  async screenshotIfAsked(name: string, options: { height?: number } = {}): Promise<void> {
    const dir = process.env.NESTLAB_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots';
    await mkdir(dir, { recursive: true });
    const size = this.page.viewportSize();
    if (options.height && size) await this.page.setViewportSize({ width: size.width, height: options.height });
    await this.page.screenshot({ path: join(dir, name) });
    if (options.height && size) await this.page.setViewportSize(size);
  }
}
