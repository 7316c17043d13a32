import type { Locator, Page } from 'playwright-core';
import { AppPage } from './app-page';

/** Page object for the Terminals view: open tabs, type into xterm, read what it shows. */
export class TerminalsPage extends AppPage {
  constructor(page: Page) {
    super(page);
  }

  get openButton(): Locator {
    return this.page.getByRole('form', { name: 'New terminal' }).getByRole('button', { name: 'Open', exact: true });
  }

  tab(name: string | RegExp): Locator {
    return this.page.getByRole('tablist', { name: 'Terminals' }).getByRole('tab', { name });
  }

  get activePane(): Locator {
    return this.page.locator('[data-testid="terminal-pane"]:not([hidden])');
  }

  get status(): Locator {
    return this.activePane.getByTestId('terminal-status');
  }

  get facts(): Locator {
    return this.activePane.getByTestId('terminal-facts');
  }

  /** Opens a local shell and waits until it shows a prompt. */
  async openLocalShell(context?: string): Promise<void> {
    await this.page.getByLabel('Type').selectOption('local');
    if (context !== undefined) await this.page.getByLabel('Context (optional)').selectOption(context);
    const before = await this.page.getByRole('tab').count();
    await this.openButton.click();
    await this.page.getByRole('tab').nth(before).waitFor();
    await this.waitForScreen(/[$#]$/m);
  }

  /** Opens an SSH tab to an inventory host chosen by name in the form, and waits for its prompt. */
  async openSshShell(hostName: string): Promise<void> {
    await this.page.getByLabel('Type').selectOption('ssh');
    const hostPicker = this.page.getByRole('form', { name: 'New terminal' }).getByLabel('Host', { exact: true });
    const option = hostPicker.locator('option', { hasText: new RegExp(`^${hostName} \\(`) });
    await option.waitFor({ state: 'attached' });
    await hostPicker.selectOption((await option.getAttribute('value')) ?? '');
    const before = await this.page.getByRole('tab').count();
    await this.openButton.click();
    await this.page.getByRole('tab').nth(before).waitFor();
    await this.waitForScreen(/[$#] ?$/m);
  }

  /** Types a line into the active terminal, as a user would. */
  async typeLine(text: string): Promise<void> {
    await this.activePane.locator('.xterm').click();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
  }

  /** The rows xterm shows now (its DOM renderer draws one element per row). */
  async screen(): Promise<string> {
    const rows = await this.activePane.locator('.xterm-rows > div').allTextContents();
    return rows.map((row) => row.replace(/\u00a0/g, ' ').trimEnd()).join('\n');
  }

  async waitForScreen(pattern: RegExp, timeout = 20_000): Promise<string> {
    const deadline = Date.now() + timeout;
    let last = '';
    while (Date.now() < deadline) {
      last = await this.screen();
      if (pattern.test(last)) return last;
      await this.page.waitForTimeout(50);
    }
    await this.page.screenshot({ path: `/tmp/nestlab-terminal-failure-${Date.now()}.png` });
    throw new Error(`The terminal never showed ${pattern}; it shows:\n${last}`);
  }
}
