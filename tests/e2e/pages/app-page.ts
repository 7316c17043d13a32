import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

/** Page object for the Nestlab shell: navigation, status bar, settings. */
export class AppPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
  }

  get connectionStatus(): Locator {
    return this.page.getByTestId('connection-status');
  }

  async waitConnected(): Promise<void> {
    await this.connectionStatus.getByText('Connected to Nestlab server').waitFor();
  }

  navItem(label: string): Locator {
    return this.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: label, exact: true });
  }

  async openView(label: string): Promise<void> {
    await this.navItem(label).click();
    await this.page.getByRole('heading', { level: 1, name: label }).waitFor();
  }

  themeOption(label: 'System' | 'Light' | 'Dark'): Locator {
    return this.page.getByRole('radio', { name: label });
  }

  field(label: string): Locator {
    return this.page.getByLabel(label, { exact: true });
  }

  get saveButton(): Locator {
    return this.page.getByRole('button', { name: 'Save', exact: true });
  }

  async theme(): Promise<string | null> {
    return this.page.locator('html').getAttribute('data-theme');
  }

  async expectTheme(theme: 'light' | 'dark'): Promise<void> {
    await expect.poll(() => this.theme()).toBe(theme);
  }
}
