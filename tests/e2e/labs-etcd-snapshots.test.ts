/**
 * etcd snapshots from the Labs view in Chromium (issue 21): a kubeadm lab on a stand-in libvirt
 * host (SIMULATION: stand-in VMs join a real control plane, see tests/e2e/labs.test.ts) whose
 * first control plane runs a real etcd as its static pod (tests/harness/labs/stacked-etcd.ts), so
 * the snapshot is taken by Debian's real etcdctl there. Through the UI: take a snapshot with its
 * progress, see it listed with the status etcdctl read, open the restore confirmation and cancel it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../harness/index.js';
import { startStackedEtcd, type StackedEtcd } from '../harness/labs/stacked-etcd';
import { SIMULATED_BASE_IMAGES } from '../harness/ssh/simulated-host-files';
import type { TestHost } from '../harness/ssh/test-host';
import { startLabHostSetup, type LabHostSetup } from './support/lab-host-setup';

const run = promisify(execFile);
const password = 'CANARY-e2e-etcd-3d81aa';

let setup: LabHostSetup;
let controlPlane: ControlPlane;
let host: TestHost;
let dataDir: string;
let etcd: StackedEtcd | undefined;

beforeAll(async () => {
  setup = await startLabHostSetup({ password, dataDirPrefix: 'nestlab-e2e-etcd-' });
  ({ controlPlane, host, dataDir } = setup);
}, 180_000);

afterAll(async () => {
  await etcd?.stop();
  await setup?.stop();
});

describe('etcd snapshots in the Labs view (SIMULATION: stand-in VMs; real etcd and etcdctl on the control plane)', () => {
  it('takes an etcd snapshot with progress, lists it with its status, and asks before a restore', { timeout: 420_000 }, async () => {
    const { labs } = await setup.openLabs();
    await labs.createLoopbackLab({ baseImage: SIMULATED_BASE_IMAGES.linux, apiServerPort: controlPlane.apiServerPort, linuxWorkers: 0 });

    // kubeadm's stacked etcd on lab1-cp1, with objects in it.
    etcd = await startStackedEtcd(join(host.simDir, 'vms', 'lab1-cp1'), 'lab1-cp1');
    for (const name of ['web', 'db']) await etcd.etcdctl('put', `/registry/configmaps/default/${name}`, '{}');

    await labs.snapshots.getByText('No snapshots yet.').waitFor({ timeout: 20_000 });
    await labs.snapshots.getByLabel('Also copy to this computer').check();
    await labs.recordProgress();
    await labs.snapshots.getByRole('button', { name: 'Take snapshot' }).click();
    await labs.detail.getByText('Taking an etcd snapshot').first().waitFor({ timeout: 20_000 });
    await labs.stepRow('etcd-save').waitFor();
    await labs.detailStatus.getByText('Ready', { exact: true }).waitFor({ timeout: 120_000 });
    const seen = await labs.recordedProgress();
    expect(seen.statuses).toContain('running');
    expect(seen.progress.at(-1)).toBe(100);

    const row = labs.snapshotRows().first();
    await row.waitFor({ timeout: 20_000 });
    expect(await labs.snapshotRows().count()).toBe(1);
    const name = (await row.getAttribute('data-snapshot')) ?? '';
    expect(name).toMatch(/^etcd-\d{8}-\d{6}$/);
    const local = join(dataDir, 'etcd-snapshots', 'lab1', `${name}.db`);
    const status = JSON.parse((await run('etcdctl', ['snapshot', 'status', local, '-w', 'json'])).stdout) as {
      revision: number;
      totalKey: number;
      hash: number;
    };
    const cells = await row.locator('td').allTextContents();
    expect(cells[1]).toBe(String(status.revision));
    expect(cells[2]).toBe(String(status.totalKey));
    expect(cells[4]).toBe(status.hash.toString(16).padStart(8, '0'));
    expect(cells[5]).toBe(local);
    await labs.snapshots.scrollIntoViewIfNeeded();
    await labs.screenshotIfAsked('labs-etcd-snapshots.png');

    // Restore asks first, saying what happens and what is lost; Cancel leaves etcd as it is.
    await row.getByRole('button', { name: 'Restore…' }).click();
    await labs.restoreDialog.waitFor();
    await labs.restoreDialog.getByText('Everything changed in the cluster since', { exact: false }).waitFor();
    await labs.restoreDialog
      .getByRole('list', { name: 'What the restore does' })
      .getByText('Check that the 2 objects the snapshot saved are back.')
      .waitFor();
    await labs.restoreDialog.getByRole('button', { name: 'Cancel' }).click();
    await labs.restoreDialog.waitFor({ state: 'detached' });
    expect(etcd.pod.starts()).toBe(1);
  });
});
