/**
 * The Labs view in Chromium against browser mode, a real sshd test host whose libvirt tools are
 * stateful stand-ins (SIMULATION: no VM can run here; see tests/harness/ssh/README.md) and a real
 * Kubernetes 1.20 control plane, where each stand-in VM that kubeadm "joins" becomes a simulated
 * node (tests/harness/labs/hypervisor-bridge.ts). Through the UI only: add the host, plan a lab,
 * see the over-capacity refusal with its arithmetic, dry run, create, see a failed step and resume
 * it, watch the steps and logs,
 * find the lab's context in Clusters, scale the Linux pool, delete the lab.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../harness/index.js';
import type { ControlPlane } from '../harness/index.js';
import { startHypervisorBridge, type HypervisorBridge } from '../harness/labs/hypervisor-bridge';
import { kubeadmAdminCredentials, renderAdminConf } from '../harness/labs/kubeadm-admin-conf';
import { simulations } from '../harness/ssh/profiles';
import { SIMULATED_BASE_IMAGES } from '../harness/ssh/simulated-host-files';
import { startTestHost, type TestHost } from '../harness/ssh/test-host';
import { AppPage } from './pages/app-page';
import { ClustersPage } from './pages/clusters-page';
import { HostsPage } from './pages/hosts-page';
import { LabsPage } from './pages/labs-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

const run = promisify(execFile);
const password = 'CANARY-e2e-labs-7f2c91';

let browser: Browser;
let context: BrowserContext;
let server: BrowserModeServer;
let controlPlane: ControlPlane;
let host: TestHost;
let bridge: HypervisorBridge;
let dataDir: string;

/** A command on the test host over OpenSSH's own client (test setup, not what is under test). */
async function onHost(command: string): Promise<string> {
  const { stdout } = await run('ssh', [
    ...['-i', host.clientKey.path, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'],
    ...['-o', 'LogLevel=ERROR', '-p', String(host.port), `${host.user}@127.0.0.1`, command],
  ]);
  return stdout;
}

/** A (simulated) base image on the test host. */
async function putImage(path: string): Promise<void> {
  await onHost(`mkdir -p ${dirname(path)} && echo SIMULATED > ${path}`);
}

/** Names of the stand-in VMs that exist on the test host now. */
async function domains(): Promise<string[]> {
  return (await readdir(join(host.simDir, 'libvirt', 'domains')).catch(() => [] as string[])).sort();
}

beforeAll(async () => {
  [controlPlane, host] = await Promise.all([startControlPlane(), startTestHost({ simulation: simulations.nestedOn, password })]);
  // SIMULATION: the kubeconfig the stand-in first control plane hands out has kubeadm's shape (CA, admin certificate and key).
  await mkdir(join(host.simDir, 'cluster'), { recursive: true, mode: 0o755 });
  const adminConf = renderAdminConf(controlPlane.server, await kubeadmAdminCredentials(controlPlane));
  await writeFile(join(host.simDir, 'cluster', 'admin.conf'), adminConf, { mode: 0o644 });
  // Only the Windows image for now: the Linux one arrives after the first attempt fails without it.
  await putImage(SIMULATED_BASE_IMAGES.windows);
  bridge = startHypervisorBridge(host.simDir, controlPlane.simulation);
  dataDir = await tempDir('e2e-labs');
  // Browser mode offers $KUBECONFIG's contexts: give it none of this machine's.
  process.env.KUBECONFIG = join(dataDir, 'no-kubeconfig');
  browser = await launchChromium();
  server = await startBrowserModeServer(dataDir);
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  await browser?.close();
  await bridge?.stop();
  await Promise.all([host?.stop(), controlPlane?.stop()]);
});

describe('Labs view in Chromium (SIMULATION: stand-in libvirt VMs join a real control plane)', () => {
  it(
    'plans, refuses an over-capacity plan with the arithmetic, fails for a missing image and resumes, scales up and down, and deletes a lab',
    { timeout: 420_000 },
    async () => {
      const app = new AppPage(await context.newPage());
      await app.open(server.url);
      await app.waitConnected();

      // The host, added and trusted through the Hosts view.
      await app.openView('Hosts');
      const hosts = new HostsPage(app.page);
      await hosts.openAddForm();
      await hosts.fillForm({ name: 'kvm-lab', address: '127.0.0.1', port: String(host.port), user: host.user, password });
      await hosts.submitWithEnter();
      await hosts.keyDialog.waitFor();
      await hosts.acceptKey();
      await hosts.status('kvm-lab').getByText('Connected').waitFor({ timeout: 20_000 });

      await app.openView('Labs');
      const labs = new LabsPage(app.page);
      await labs.page.getByText('No labs yet').waitFor();
      await labs.planButton.click();
      await labs.form.waitFor();
      // Defaults from defaultLabPlan() for the host; libvirt because the host runs Linux.
      expect(await labs.field('Name').inputValue()).toBe('lab1');
      expect(await labs.radio('VM driver', 'libvirt (KVM)').isChecked()).toBe(true);
      expect(await labs.radio('VM driver', 'Hyper-V').isDisabled()).toBe(true);
      expect(await labs.field('Linux base image on the host').inputValue()).toBe(SIMULATED_BASE_IMAGES.linux);
      // The next free ranges of the chosen host (read over SSH: its LAN and libvirt's default network are in use).
      await labs.form
        .getByTestId('allocated-ranges')
        .getByText(
          'Free on kvm-lab: network 192.168.150.0/24, pods 10.244.0.0/16, services 10.96.0.0/16, LoadBalancer 192.168.150.200–192.168.150.239, API endpoint address 192.168.150.10.',
        )
        .waitFor({ timeout: 30_000 });
      expect(await labs.field('Pod range (CIDR)').inputValue()).toBe('10.244.0.0/16');
      expect(await labs.field('LoadBalancer range start (MetalLB)').inputValue()).toBe('192.168.150.200');
      await labs.form.getByText('In use on kvm-lab (2)').click();
      await labs.form.getByText("192.168.122.0/24: the host's network on virbr0").waitFor();
      await labs.screenshotIfAsked('labs-form.png');

      // A name that is not a DNS label: refused at the field, with the rule; the typed text stays.
      await labs.field('Name').fill('Lab_1');
      await labs.field('Name').press('Enter');
      await labs.fieldError('name').getByText('"Lab_1" is not a DNS label').waitFor();
      expect(await labs.field('Name').inputValue()).toBe('Lab_1');
      expect(await labs.field('Name').evaluate((input) => input === document.activeElement)).toBe(true);
      await labs.field('Name').fill('lab1');

      // The test network (TEST-NET addresses, never contacted) and the real API server as the stable endpoint.
      await labs.field('Network (CIDR)').fill('198.51.100.0/24');
      await labs.field('Address pool start').fill('198.51.100.100');
      await labs.field('Address pool end').fill('198.51.100.199');
      await labs.field('LoadBalancer range start (MetalLB)').fill('198.51.100.200');
      await labs.field('LoadBalancer range end').fill('198.51.100.239');
      await labs.field('API endpoint address').fill('198.51.100.10');
      await labs.field('API endpoint (VIP or DNS name)').fill('127.0.0.1');
      await labs.field('API port').fill(String(controlPlane.apiServerPort));

      // Too big for the host (16 CPUs, 64 GiB): refused with the arithmetic, nothing created.
      await labs.setSlider(labs.slider('Linux workers'), 20);
      await labs.button('Check plan').click();
      await labs.check.getByText('Refused: the host is short of').waitFor({ timeout: 30_000 });
      const memory = labs.capacityLine('memory');
      expect(await memory.textContent()).toContain('1 control plane × 4 GiB + 20 Linux workers × 4 GiB + host reserve 2 GiB = 86 GiB');
      expect(await memory.textContent()).toContain('Short');
      expect(await labs.capacityLine('cpu').textContent()).toContain('host: 16 logical CPUs × 2 (overcommit) = 32 vCPU');
      await labs.check.scrollIntoViewIfNeeded();
      await labs.screenshotIfAsked('labs-refused.png');
      expect(await domains()).toEqual([]);

      // k3s has no Windows agent: the Windows pool is disabled with the reason.
      await labs.radio('Distribution', 'k3s').check();
      expect(await labs.slider('Windows workers').isDisabled()).toBe(true);
      await labs.form.getByText('Not with k3s: k3s ships a Linux-only agent.').waitFor();
      await labs.radio('Distribution', 'kubeadm').check();

      // 1 control plane + 1 Linux + 1 Windows worker fits.
      await labs.setSlider(labs.slider('Linux workers'), 1);
      await labs.setSlider(labs.slider('Windows workers'), 1);
      await labs.field('Windows Server image on the host').fill(SIMULATED_BASE_IMAGES.windows);
      await labs.button('Check plan').click();
      await labs.check.getByText('The plan fits the host.').waitFor({ timeout: 30_000 });

      // The dry run lists every step and its commands; nothing runs.
      await labs.button('Dry run').click();
      await labs.dryRun.waitFor();
      expect(await labs.dryRunStep('create-vm:lab1-cp1').textContent()).toContain('virt-install');
      await labs.dryRunStep('create-vm:lab1-win1').waitFor();
      await labs.dryRun.scrollIntoViewIfNeeded();
      await labs.screenshotIfAsked('labs-dry-run.png');
      expect(await domains()).toEqual([]);

      await labs.recordProgress();
      await labs.button('Create lab').click();
      await labs.form.waitFor({ state: 'detached', timeout: 30_000 });
      await labs.lab('lab1').waitFor();
      await labs.detail.waitFor();
      // The Linux base image is not on the host yet: the first step fails, says why, and nothing was created.
      await labs.status('lab1').getByText('Failed at: Prepare the lab folder and SSH key on the host').waitFor({ timeout: 60_000 });
      await labs.detail
        .getByRole('group', { name: 'Why the operation stopped' })
        .getByText(`The base image ${SIMULATED_BASE_IMAGES.linux} is not on the host.`)
        .waitFor();
      expect(await domains()).toEqual([]);
      // Put it there and resume: the operation continues from the failed step.
      await putImage(SIMULATED_BASE_IMAGES.linux);
      await labs.detail.getByRole('button', { name: 'Resume' }).click();
      await labs
        .stepRow('create-vm:lab1-cp1')
        .getByText(/Running|Done/)
        .waitFor({ timeout: 60_000 });
      await labs.detailStatus.getByText('Ready', { exact: true }).waitFor({ timeout: 240_000 });
      // What the page showed on the way: steps running, the overall bar in between.
      const seen = await labs.recordedProgress();
      expect(seen.statuses).toContain('running');
      expect(seen.statuses).toContain('failed');
      expect(seen.progress.some((value) => value > 0 && value < 100)).toBe(true);
      expect(seen.progress.at(-1)).toBe(100);
      const stepStatuses = await labs.stepRows().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')));
      expect(stepStatuses.every((status) => status === 'done' || status === 'skipped')).toBe(true);
      await labs.lab('lab1').getByText('100%').waitFor();
      await labs.lab('lab1').getByTestId('lab-nodes').getByText('1 control plane · 1 Linux worker · 1 Windows worker').waitFor();
      for (const vm of ['lab1-cp1', 'lab1-linux1', 'lab1-win1']) await labs.machineRow(vm).getByText('Joined').waitFor();

      // The Hosts view lists the lab on its host with its allocated ranges and endpoint.
      await app.openView('Hosts');
      const hostLab = hosts.host('kvm-lab').getByTestId('host-lab-lab1');
      await hostLab.waitFor();
      for (const text of ['198.51.100.0/24', '198.51.100.100–198.51.100.199', '10.244.0.0/16', '10.96.0.0/16']) {
        await hostLab.getByText(text, { exact: true }).waitFor();
      }
      await hostLab.getByText('MetalLB 198.51.100.200–198.51.100.239').waitFor();
      await hostLab.getByText(`127.0.0.1:${controlPlane.apiServerPort} (198.51.100.10)`).waitFor();
      // A second lab on the host is offered ranges disjoint from lab1's.
      await app.openView('Labs');
      await labs.planButton.click();
      await labs.form
        .getByTestId('allocated-ranges')
        .getByText(
          'Free on kvm-lab: network 192.168.150.0/24, pods 10.245.0.0/16, services 10.97.0.0/16, LoadBalancer 192.168.150.200–192.168.150.239, API endpoint address 192.168.150.10.',
        )
        .waitFor({ timeout: 30_000 });
      await labs.form.getByText("10.244.0.0/16: lab1's pod range").waitFor({ state: 'attached' });
      await labs.button('Cancel').click();
      await labs.form.waitFor({ state: 'detached' });
      if (!(await labs.detail.isVisible())) await labs.lab('lab1').getByRole('button', { name: 'Open' }).click();
      await labs.detail.waitFor();

      // Logs: every step, then only one VM's lines.
      await labs.log.locator('.lab-log-line').first().waitFor();
      await labs.machineRow('lab1-linux1').getByRole('button', { name: 'Logs of lab1-linux1' }).click();
      await labs.log.locator('.lab-log-line').first().waitFor();
      const sources = await labs.log.locator('.lab-log-source').allTextContents();
      expect(new Set(sources)).toEqual(new Set(['lab1-linux1']));
      expect(await labs.detail.getByLabel('Follow').isChecked()).toBe(true);

      // The details say how the API endpoint is reached: here an address the user serves, which the saved kubeconfig uses as it is.
      await labs.detail.getByTestId('lab-endpoint-in-lab').getByText('127.0.0.1 is served by you', { exact: false }).waitFor();
      await labs.detail
        .getByTestId('lab-endpoint-from-here')
        .getByText(`The kubeconfig in Clusters uses https://127.0.0.1:${controlPlane.apiServerPort}. It works wherever`, { exact: false })
        .waitFor();

      // The kubeconfig was saved as the lab's context: it shows in Clusters.
      await labs.detail.getByTestId('lab-context').getByText('lab1', { exact: true }).waitFor();
      await labs.detail.getByRole('button', { name: 'Show in Clusters' }).click();
      await app.page.getByRole('heading', { level: 1, name: 'Clusters' }).waitFor();
      const clusters = new ClustersPage(app.page);
      await clusters.context('lab1').waitFor();

      // Scale the Linux pool 1 -> 2: a scale operation with its own steps, then a second joined worker.
      await app.openView('Labs');
      await labs.lab('lab1').getByRole('button', { name: 'Open' }).click();
      // Open takes the keyboard to the lab's heading.
      await expect.poll(() => app.page.evaluate('document.activeElement?.id')).toBe('lab-detail-heading');
      const linux = labs.slider('Linux workers', labs.pools);
      await linux.focus();
      await linux.press('ArrowRight');
      expect(await labs.pools.getByTestId(/linux-value$/).textContent()).toBe('2');
      await labs.pools.getByRole('button', { name: 'Apply' }).click();
      await labs.detail.getByText('Scaling the node pools').waitFor({ timeout: 20_000 });
      await labs.detailStatus.getByText('Ready', { exact: true }).waitFor({ timeout: 180_000 });
      await labs.machineRow('lab1-linux2').getByText('Joined').waitFor();
      await app.page.locator('main').evaluate((main) => main.scrollTo(0, 0));
      await labs.screenshotIfAsked('labs.png', { height: 1500 });

      // Scale it back 2 -> 1: cordon, drain, delete the node, then the VM, in that order.
      await linux.focus();
      await linux.press('ArrowLeft');
      await labs.pools.getByText('1 node(s) to cordon, drain and delete').waitFor();
      await labs.pools.getByRole('button', { name: 'Apply' }).click();
      await labs.stepRow('drain:lab1-linux2').waitFor({ timeout: 20_000 });
      await labs.detailStatus.getByText('Ready', { exact: true }).waitFor({ timeout: 180_000 });
      const shrink = await labs.stepRows().evaluateAll((rows) => rows.map((row) => row.getAttribute('data-step')));
      expect(shrink.slice(0, 4)).toEqual(['cordon:lab1-linux2', 'drain:lab1-linux2', 'delete-node:lab1-linux2', 'delete-vm:lab1-linux2']);
      await labs.machineRow('lab1-linux2').waitFor({ state: 'detached' });
      expect(await domains()).toEqual(['lab1-cp1', 'lab1-linux1', 'lab1-win1']);

      // Delete: Escape keeps the lab; the typed name confirms; the VMs and the context go.
      await labs.lab('lab1').getByRole('button', { name: 'Delete' }).click();
      await labs.deleteDialog.waitFor();
      const listed = await labs.deleteDialog.getByRole('list', { name: 'What is deleted' }).textContent();
      expect(listed).toContain('3 VMs: lab1-cp1, lab1-linux1, lab1-win1');
      expect(listed).toContain('the kubeconfig context lab1 saved in Clusters');
      await labs.screenshotIfAsked('labs-delete.png');
      await app.page.keyboard.press('Escape');
      await labs.deleteDialog.waitFor({ state: 'detached' });
      await labs.lab('lab1').getByRole('button', { name: 'Delete' }).click();
      const confirm = labs.deleteDialog.getByLabel('Type lab1 to confirm');
      await confirm.fill('lab');
      expect(await labs.deleteDialog.getByRole('button', { name: 'Delete lab' }).isDisabled()).toBe(true);
      await confirm.fill('lab1');
      await confirm.press('Enter');
      await labs.deleteDialog.waitFor({ state: 'detached', timeout: 20_000 });
      await labs.lab('lab1').waitFor({ state: 'detached', timeout: 180_000 });
      expect(await domains()).toEqual([]);
      await app.openView('Clusters');
      await app.page.getByRole('heading', { level: 1, name: 'Clusters' }).waitFor();
      expect(await clusters.context('lab1').count()).toBe(0);
    },
  );
});
