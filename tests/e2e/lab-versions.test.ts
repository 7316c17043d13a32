/**
 * The plan form and the version table, in Chromium against browser mode and a real sshd test host
 * (SIMULATION: stand-in libvirt tools; nothing is created here): the Kubernetes version field says
 * what the typed version allows (install source, Windows workers, kubeadm configuration API), read
 * with the field by assistive technology, and the plan check refuses kubeadm 1.20 without an
 * offline bundle and Windows workers on 1.20, at the fields, with the reason and the fix.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulations } from '../harness/ssh/profiles';
import { startTestHost, type TestHost } from '../harness/ssh/test-host';
import { AppPage } from './pages/app-page';
import { HostsPage } from './pages/hosts-page';
import { LabsPage } from './pages/labs-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

const password = 'CANARY-e2e-lab-versions-3b81d2';

let browser: Browser;
let context: BrowserContext;
let server: BrowserModeServer;
let host: TestHost;
let dataDir: string;

beforeAll(async () => {
  host = await startTestHost({ simulation: simulations.nestedOn, password });
  dataDir = await tempDir('e2e-lab-versions');
  process.env.KUBECONFIG = join(dataDir, 'no-kubeconfig');
  browser = await launchChromium();
  server = await startBrowserModeServer(dataDir);
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  await browser?.close();
  await host?.stop();
});

describe('Plan form: what a Kubernetes version allows', () => {
  it(
    'shows the version’s install source, Windows support and kubeadm API, and refuses 1.20 without a bundle at the field',
    { timeout: 180_000 },
    async () => {
      const app = new AppPage(await context.newPage());
      await app.open(server.url);
      await app.waitConnected();
      await app.openView('Hosts');
      const hosts = new HostsPage(app.page);
      await hosts.addTrusted({ name: 'kvm-lab', address: '127.0.0.1', port: String(host.port), user: host.user, password });

      await app.openView('Labs');
      const labs = new LabsPage(app.page);
      await labs.planButton.click();
      await labs.form.waitFor();
      const version = labs.field('Kubernetes version');
      const rules = labs.form.getByTestId('version-rules');

      // The default (1.30.8): packages, Windows workers, v1beta3; read with the field.
      expect(await version.inputValue()).toBe('1.30.8');
      expect(await rules.textContent()).toBe(
        'Installs from pkgs.k8s.io, or from an offline bundle. Windows workers: allowed. kubeadm configuration: v1beta3.',
      );
      expect(await labs.fieldDescription('Kubernetes version')).toContain('Windows workers: allowed. kubeadm configuration: v1beta3.');

      // Typed with the keyboard: the hint follows the version.
      await version.focus();
      await version.press('ControlOrMeta+a');
      await version.pressSequentially('1.20.2');
      await rules.getByText('Needs an offline bundle: pkgs.k8s.io has 1.24 and newer only.').waitFor();
      expect(await rules.textContent()).toBe(
        'Needs an offline bundle: pkgs.k8s.io has 1.24 and newer only. Windows workers: not with 1.20 (they need 1.23 or newer). kubeadm configuration: v1beta2.',
      );
      expect(await labs.fieldDescription('Kubernetes version')).toContain('Needs an offline bundle');
      await version.fill('1.31.4');
      await rules.getByText('kubeadm configuration: v1beta4.').waitFor();
      await labs.radio('Distribution', 'k3s').check();
      await rules.getByText('Windows workers: not with k3s (its agent is Linux-only).').waitFor();
      await labs.radio('Distribution', 'kubeadm').check();
      await version.fill('1.20.2');

      // TEST-NET addresses, never contacted (the pool, LoadBalancer range and endpoint address follow the network).
      await labs.field('Network (CIDR)').fill('198.51.100.0/24');
      await labs.setSlider(labs.slider('Linux workers'), 1);
      await labs.setSlider(labs.slider('Windows workers'), 1);
      // Windows workers join tainted unless the user says otherwise: a checkbox, on by default, Space toggles it.
      const taint = labs.field('Taint Windows workers os=windows:NoSchedule');
      expect(await taint.isChecked()).toBe(true);
      await taint.focus();
      await taint.press('Space');
      expect(await taint.isChecked()).toBe(false);
      await labs.form.getByText('Untainted: any pod without a nodeSelector may be scheduled on a Windows worker').waitFor();
      await taint.press('Space');
      expect(await taint.isChecked()).toBe(true);
      await labs.field('Windows Server image on the host').fill('/var/lib/libvirt/images/nestlab-base/windows-server-2022.qcow2');

      // Refused at the fields before anything runs: the reason and the fix.
      await version.press('Enter');
      const versionError = labs.fieldError('kubernetesVersion');
      await versionError
        .getByText(
          'Kubernetes 1.20 is not in the community package repository pkgs.k8s.io (it has 1.24 and newer), so its kubelet, kubeadm and kubectl can only come from an offline bundle.',
          { exact: false },
        )
        .waitFor({ timeout: 30_000 });
      expect(await versionError.textContent()).toContain('Give an offline bundle with the 1.20 packages');
      expect(await labs.fieldError('windowsWorkers').textContent()).toContain(
        'Windows workers need Kubernetes 1.23 or newer (their flannel and kube-proxy run as HostProcess containers, on by default from 1.23); this plan has 1.20. Choose 1.23 or newer, or set Windows workers to 0.',
      );
      // The typed version stays, and the keyboard is on the first field to fix.
      expect(await version.inputValue()).toBe('1.20.2');
      expect(await version.evaluate((input) => input === document.activeElement)).toBe(true);
      await labs.form.scrollIntoViewIfNeeded();
      await labs.screenshotIfAsked('labs-version-refused.png');

      // With an offline bundle and no Windows workers, the version is accepted.
      await labs.field('Offline bundle (optional)').fill('/srv/nestlab-bundle-1.20');
      await labs.setSlider(labs.slider('Windows workers'), 0);
      await labs.button('Check plan').click();
      await labs.check.waitFor({ timeout: 30_000 });
      await versionError.waitFor({ state: 'detached' });
      expect(await labs.fieldError('windowsWorkers').count()).toBe(0);
    },
  );
});
