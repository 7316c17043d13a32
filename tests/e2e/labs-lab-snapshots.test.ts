/**
 * Lab snapshots from the Labs view in Chromium (issue 21): a kubeadm lab on a stand-in libvirt
 * host (SIMULATION: stand-in virsh, whose snapshots keep each VM's files, and VMs whose nodes are
 * simulated kubelets of a real control plane, see tests/e2e/labs.test.ts). By keyboard: take a
 * lab snapshot, see it listed on every VM, revert to it behind a confirmation that says what is
 * lost (a file written on a VM after the snapshot is gone, the nodes Ready again), delete it.
 */
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../harness/index.js';
import { SIMULATED_BASE_IMAGES } from '../harness/ssh/simulated-host-files';
import type { TestHost } from '../harness/ssh/test-host';
import { startLabHostSetup, type LabHostSetup } from './support/lab-host-setup';

const password = 'CANARY-e2e-lab-snapshots-9c2d41';

let setup: LabHostSetup;
let controlPlane: ControlPlane;
let host: TestHost;

beforeAll(async () => {
  setup = await startLabHostSetup({ password, dataDirPrefix: 'nestlab-e2e-lab-snapshots-' });
  ({ controlPlane, host } = setup);
}, 180_000);

afterAll(async () => {
  await setup?.stop();
});

describe('lab snapshots in the Labs view (SIMULATION: stand-in virsh and VMs as simulated nodes of a real control plane)', () => {
  it('takes a lab snapshot, reverts the lab to it after a confirmation, and deletes it, by keyboard', { timeout: 420_000 }, async () => {
    const { app, labs } = await setup.openLabs();
    /** Enter on a button by keyboard, once it can be used (a trial click waits until it is enabled). */
    const pressEnter = async (button: Locator) => {
      await button.click({ trial: true });
      await button.focus();
      await app.page.keyboard.press('Enter');
    };
    await labs.createLoopbackLab({ baseImage: SIMULATED_BASE_IMAGES.linux, apiServerPort: controlPlane.apiServerPort, linuxWorkers: 1 });

    const panel = labs.detail.getByTestId('lab-snapshots');
    await panel.getByText('No lab snapshots yet.').waitFor({ timeout: 20_000 });
    await pressEnter(panel.getByRole('button', { name: 'Take lab snapshot' }));
    await labs.stepRow('lab-snapshot').waitFor({ timeout: 20_000 });
    await labs.detailStatus.getByText('Ready', { exact: true }).waitFor({ timeout: 120_000 });
    const row = panel.locator('tbody tr').first();
    await row.waitFor({ timeout: 20_000 });
    const name = (await row.getAttribute('data-lab-snapshot')) ?? '';
    expect(name).toMatch(/^nestlab-\d{8}-\d{6}$/);
    // Both VMs (control plane and worker) have it.
    expect((await row.locator('td').allTextContents())[1]).toBe('2');

    // Written on the worker after the snapshot: the revert takes it away.
    const marker = join(host.simDir, 'vms', 'lab1-linux1', 'after-snapshot');
    await writeFile(marker, 'changed after the snapshot\n');

    // Revert asks first, saying what is lost; Escape leaves the lab as it is.
    await pressEnter(row.getByRole('button', { name: 'Revert…' }));
    const dialog = app.page.getByRole('dialog', { name: `Revert lab1 to ${name}?` });
    await dialog.getByText('Everything done in the cluster and on the VMs since then is lost', { exact: false }).waitFor();
    await app.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await access(marker);

    await pressEnter(row.getByRole('button', { name: 'Revert…' }));
    await dialog.getByRole('button', { name: 'Revert', exact: true }).focus();
    await app.page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await labs.stepRow('lab-revert').waitFor({ timeout: 20_000 });
    await labs.stepRow('nodes-ready').waitFor();
    await labs.detailStatus.getByText('Ready', { exact: true }).waitFor({ timeout: 120_000 });
    await expect(access(marker)).rejects.toThrow(/ENOENT/);
    await panel.scrollIntoViewIfNeeded();
    await labs.screenshotIfAsked('labs-lab-snapshots.png');

    await pressEnter(row.getByRole('button', { name: 'Delete' }));
    await panel.getByText('No lab snapshots yet.').waitFor({ timeout: 20_000 });
  });
});
