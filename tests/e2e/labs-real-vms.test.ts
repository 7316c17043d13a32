/**
 * A lab on a REAL libvirt host through the Labs view in Chromium (issue 18): a user adds the host
 * (real sshd, libvirtd and QEMU in software emulation inside the host's namespaces; see
 * docs/HARNESS.md, "Real libvirt host") in the Hosts view, plans a Kubernetes 1.20.2 lab of one
 * control plane and one Linux worker on the guest image with the offline bundle, and watches the
 * real QEMU guests come up step by step: VMs created, DHCP leases, SSH, cloud-init and the
 * bundle's packages installed. By default the user cancels when the bootstrap step starts and
 * deletes the lab; libvirt on the host then has no domain, network or disk of it left. With
 * NESTLAB_REAL_VMS_KUBEADM=1 (slow; run it alone on a quiet machine) the bundle carries the node
 * images, crictl (a stand-in) and the CNI, and the lab is provisioned to its end (kubeadm init
 * and join in the guests): both nodes Ready on the Topology map, then the lab is deleted.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libvirtPaths } from '../../src/main/labs/lab-paths';
import { assembleNodeBundle } from '../harness/real-vms/node-bundle';
import type { LabsPage } from './pages/labs-page';
import { TopologyPage } from './pages/topology-page';
import { BASE_IMAGE, STORAGE, recordSteps, recordedSteps, startRealLabHost, type RealLabHostSetup } from './support/real-lab-host';

/** The slow flag of the real-VM tier: provision to the end (kubeadm init and join in the guests). */
const THROUGH_INIT = process.env.NESTLAB_REAL_VMS_KUBEADM === '1';
/** VMs made, booted to their leases, SSH, cloud-init and the bundle installed, under software emulation. */
const GUEST_MINUTES = 20;
const INIT_MINUTES = 30;
const JOIN_MINUTES = 15;
const LAB = 'real';
const HOST = 'real-libvirt';
const MACHINES = [`${LAB}-cp1`, `${LAB}-linux1`];

let setup: RealLabHostSetup;
/** The offline bundle's folder on this computer (made by assembleNodeBundle, removed here). */
let bundle: string | undefined;

beforeAll(async () => {
  setup = await startRealLabHost({ dataDirPrefix: 'e2e-real-vms' });
}, 300_000);

afterAll(async () => {
  await setup?.stop();
  if (bundle !== undefined) await rm(bundle, { recursive: true, force: true });
});

/** What the page and libvirt show, for a failure's message. */
async function describeLab(labs: LabsPage): Promise<string> {
  const detail = await labs.detail.innerText().catch(() => '(no lab detail open)');
  const domains = await setup.virsh('list', '--all').catch((error: unknown) => String(error));
  const leases = await setup.virsh('net-dhcp-leases', libvirtPaths(STORAGE, LAB).network).catch((error: unknown) => String(error));
  return `lab detail:\n${detail.slice(0, 4000)}\ndomains:\n${domains}\nleases:\n${leases}`;
}

/** Waits for a step row of the open lab to show one of the statuses; on time-out, says what the page and libvirt show. */
async function stepReaches(labs: LabsPage, id: string, statuses: string[], timeout: number): Promise<void> {
  const selector = statuses.map((status) => `tr[data-step="${id}"][data-status="${status}"]`).join(', ');
  await labs.detail
    .getByRole('table', { name: 'Steps' })
    .locator(selector)
    .waitFor({ timeout })
    .catch(async (error: unknown) => {
      throw new Error(`step ${id} did not reach ${statuses.join(' or ')}: ${String(error)}\n${await describeLab(labs)}`);
    });
}

describe('Labs view in Chromium with a REAL libvirt host (REAL libvirtd, QEMU guests, cloud-init, offline bundle)', () => {
  it(
    THROUGH_INIT
      ? 'plans a 1.20.2 lab in the form, watches it provision in real QEMU guests to the end, sees both nodes Ready on the map, and deletes it'
      : 'plans a 1.20.2 lab in the form, watches the real QEMU guests boot step by step, cancels at the bootstrap step and deletes the lab: nothing is left in libvirt',
    { timeout: (GUEST_MINUTES + (THROUGH_INIT ? INIT_MINUTES + JOIN_MINUTES + 10 : 8)) * 60_000 },
    async () => {
      const { app, labs } = await setup.openLabs(HOST);
      await labs.planButton.click();
      await labs.form.waitFor();
      await labs.field('Name').fill(LAB);
      expect(await labs.radio('VM driver', 'libvirt (KVM)').isChecked()).toBe(true);
      await labs.field('Kubernetes version').fill('1.20.2');
      await labs.radio('Control planes', '1').check();
      await labs.setSlider(labs.slider('Linux workers'), 1);
      await labs.setSlider(labs.slider('Windows workers'), 0);
      // kubeadm wants 2 CPUs on a control plane; the worker gets 1, so software emulation shares the two cores less.
      for (const [role, title, cpus] of [
        ['controlPlane', 'Control plane VMs', '2'],
        ['linuxWorker', 'Linux worker VMs', '1'],
      ] as const) {
        await labs.field(title).selectOption('custom');
        const size = labs.form.locator(`[data-size="${role}"]`);
        await size.getByLabel('vCPUs', { exact: true }).fill(cpus);
        await size.getByLabel('Memory (MiB)', { exact: true }).fill('2048');
        await size.getByLabel('Disk (GiB)', { exact: true }).fill('10');
      }
      // The network the form proposes for this host (read over SSH from the real host's interfaces and libvirt).
      await labs.form.getByTestId('allocated-ranges').getByText(`Free on ${HOST}: network `).waitFor({ timeout: 60_000 });
      const podCidr = await labs.field('Pod range (CIDR)').inputValue();
      // The offline bundle on this computer: the node packages; for the whole lab also the images, crictl and a bridge CNI over the pod range.
      bundle = await assembleNodeBundle(THROUGH_INIT ? { kubernetes: { podCidr } } : {});
      // Nothing from a registry: the bundle's bridge CNI (flannel's and Calico's images exist only there).
      if (THROUGH_INIT) await labs.radio('Network plugin (CNI)', "The bundle's cni/").check();
      await labs.field('Linux base image on the host').fill(BASE_IMAGE);
      await labs.field('Offline bundle (optional)').fill(bundle);
      await labs.button('Check plan').click();
      await labs.check
        .getByText('The plan fits the host.')
        .waitFor({ timeout: 60_000 })
        .catch(async (error: unknown) => {
          throw new Error(`the plan was not accepted: ${String(error)}\n${await labs.page.locator('.lab-plan').innerText()}`);
        });

      await recordSteps(app.page);
      await labs.button('Create lab').click();
      await labs.form.waitFor({ state: 'detached', timeout: 60_000 }).catch(async (error: unknown) => {
        throw new Error(`the lab was not created: ${String(error)}\n${await labs.form.innerText()}`);
      });
      await labs.detail.waitFor();

      // Live steps: both domains made, then each guest's lease, then SSH, cloud-init and the bundle in each.
      for (const machine of MACHINES) await stepReaches(labs, `create-vm:${machine}`, ['done'], 10 * 60_000);
      await stepReaches(labs, `address:${MACHINES[0]}`, ['running', 'done'], 5 * 60_000);
      await stepReaches(labs, `ssh:${MACHINES[0]}`, ['running'], GUEST_MINUTES * 60_000);
      await labs.screenshotIfAsked('labs-real-vms-steps.png', { height: 1500 });

      const bootstrap = `bootstrap:${MACHINES[0]}`;
      // 'failed' too, so a step that fails at once ends the wait with what the page says.
      await stepReaches(labs, bootstrap, ['running', 'done', 'failed'], GUEST_MINUTES * 60_000);
      if (!THROUGH_INIT) {
        // The user stops it there, at once: the offline bundle of packages has no node images for
        // kubeadm init, so the step may also fail by itself first (then there is nothing to cancel).
        if ((await labs.stepRow(bootstrap).getAttribute('data-status')) === 'running') {
          await labs.detail
            .getByRole('button', { name: 'Cancel', exact: true })
            .click({ timeout: 10_000 })
            .catch(async (error: unknown) => {
              if ((await labs.stepRow(bootstrap).getAttribute('data-status')) !== 'failed') throw error;
            });
        }
      }
      const seen = await recordedSteps(app.page);
      for (const machine of MACHINES) {
        expect(seen.steps[`create-vm:${machine}`]?.at(-1)).toBe('done');
        expect(seen.steps[`address:${machine}`]?.at(-1)).toBe('done');
        // The wait for SSH and cloud-init runs for minutes in a real guest: the page showed it running, then done.
        expect(seen.steps[`ssh:${machine}`]).toEqual(expect.arrayContaining(['running', 'done']));
      }
      // The overall bar moved on with the steps, short of its end.
      const between = seen.progress.filter((value) => value > 0 && value < 100);
      expect(new Set(between).size, JSON.stringify(seen.progress)).toBeGreaterThan(2);
      expect(Math.max(...between), JSON.stringify(seen.progress)).toBeGreaterThan(between[0]!);
      // The machines' addresses, as libvirt's dnsmasq leased them, are in the machine list.
      for (const machine of MACHINES) {
        const address = (await labs.machineRow(machine).innerText()).match(/\d+\.\d+\.\d+\.\d+/)?.[0];
        expect(address, await labs.machineRow(machine).innerText()).toBeDefined();
        expect(await setup.virsh('net-dhcp-leases', libvirtPaths(STORAGE, LAB).network)).toContain(address);
      }

      if (THROUGH_INIT) {
        // Ready, or the status it stopped at (a failure does not wait out the whole time).
        await labs.detailStatus.getByText(/^(Ready|Failed.*|Cancelled)$/).waitFor({ timeout: (INIT_MINUTES + JOIN_MINUTES) * 60_000 });
        expect((await labs.detailStatus.innerText()).trim(), await describeLab(labs)).toBe('Ready');
        for (const machine of MACHINES) await labs.machineRow(machine).getByText('Joined').waitFor();
        await labs.screenshotIfAsked('labs-real-vms-ready.png', { height: 1500 });
        // The saved context on the map: both nodes Ready, as the real kubelets report them.
        await labs.detail.getByRole('button', { name: 'Show topology' }).click();
        const topology = new TopologyPage(app.page);
        await topology.state.getByText('Live').waitFor({ timeout: 60_000 });
        for (const machine of MACHINES) {
          // The badge's words after its glyph: Ready, not NotReady.
          await topology
            .node(machine)
            .locator('.badge')
            .filter({ hasText: /(^|\W)Ready$/ })
            .waitFor({ timeout: 5 * 60_000 });
        }
        await app.page.screenshot({ path: 'test-results/screenshots/labs-real-vms-map.png' });
        await app.openView('Labs');
        await labs.lab(LAB).getByRole('button', { name: 'Open' }).click();
        await labs.detail.waitFor();
      } else {
        await labs.detailStatus
          .getByText(/^(Cancelled|Failed.*)$/)
          .waitFor({ timeout: 5 * 60_000 })
          .catch(async (error: unknown) => {
            throw new Error(`the lab did not stop at its bootstrap step: ${String(error)}\n${await describeLab(labs)}`);
          });
        expect(['cancelled', 'failed']).toContain(await labs.stepRow(bootstrap).getAttribute('data-status'));
        // Everything before the bootstrap step ran for real and is done.
        const statuses = await labs
          .stepRows()
          .evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-step'), row.getAttribute('data-status')]));
        const before = statuses.slice(
          0,
          statuses.findIndex(([id]) => id === bootstrap),
        );
        expect(before.filter(([, status]) => status !== 'done')).toEqual([]);
        expect(before.map(([id]) => id)).toEqual(
          expect.arrayContaining(MACHINES.flatMap((m) => [`create-vm:${m}`, `address:${m}`, `ssh:${m}`])),
        );
      }
      expect((await setup.virsh('list', '--all', '--name')).trim().split('\n').sort()).toEqual(MACHINES);

      // Delete, confirmed with the typed name: the domains, disks, network and lab folder go from the host.
      await labs.lab(LAB).getByRole('button', { name: 'Delete' }).click();
      await labs.deleteDialog.waitFor();
      expect(await labs.deleteDialog.getByRole('list', { name: 'What is deleted' }).textContent()).toContain(
        `2 VMs: ${MACHINES.join(', ')}`,
      );
      const confirm = labs.deleteDialog.getByLabel(`Type ${LAB} to confirm`);
      await confirm.fill(LAB);
      await confirm.press('Enter');
      await labs.deleteDialog.waitFor({ state: 'detached', timeout: 60_000 });
      await labs
        .lab(LAB)
        .waitFor({ state: 'detached', timeout: 5 * 60_000 })
        .catch(async (error: unknown) => {
          throw new Error(`the lab was not deleted: ${String(error)}\n${await describeLab(labs)}`);
        });
      const paths = libvirtPaths(STORAGE, LAB);
      expect((await setup.virsh('list', '--all', '--name')).trim()).toBe('');
      expect((await setup.virsh('net-list', '--all', '--name')).split('\n').map((line) => line.trim())).not.toContain(paths.network);
      expect((await setup.virsh('pool-list', '--all', '--name')).split('\n').map((line) => line.trim())).not.toContain(paths.pool);
      expect((await setup.onHost(`ls -A ${STORAGE}`)).split('\n').filter((entry) => entry !== '' && entry !== 'nestlab-base')).toEqual([]);
      expect(await setup.onHost(`test -e ${paths.homeDir} && echo left || echo gone`)).toBe('gone\n');
    },
  );
});
