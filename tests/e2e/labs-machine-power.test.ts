/**
 * Stop and Start of a lab machine in Chromium (issue 21): a kubeadm lab created in the Labs view
 * on a stand-in libvirt host (SIMULATION: stand-in virsh and VMs whose nodes are simulated
 * kubelets of a real control plane, see tests/e2e/labs.test.ts). From the machine list, by
 * keyboard: Stop (a confirmation saying each step, the progress, the VM Off and the node cordoned,
 * then NotReady as the real node lifecycle controller sees it), then Start (Running, Ready, uncordoned).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRestClient } from '../harness/index.js';
import type { ControlPlane } from '../harness/index.js';
import { SIMULATED_BASE_IMAGES } from '../harness/ssh/simulated-host-files';
import { startLabHostSetup, type LabHostSetup } from './support/lab-host-setup';

const password = 'CANARY-e2e-power-5b1e09';
const worker = 'lab1-linux1';

let setup: LabHostSetup;
let controlPlane: ControlPlane;
let admin: KubeRestClient;

beforeAll(async () => {
  setup = await startLabHostSetup({ password, dataDirPrefix: 'nestlab-e2e-power-' });
  ({ controlPlane } = setup);
  admin = new KubeRestClient(controlPlane.admin, 4);
}, 180_000);

afterAll(async () => {
  admin?.close();
  await setup?.stop();
});

const workerNode = () =>
  admin.request<{ spec: { unschedulable?: boolean }; status: { conditions: { type: string; status: string }[] } }>(
    'GET',
    `/api/v1/nodes/${worker}`,
  );

describe('Stop and Start of a lab machine (SIMULATION: stand-in virsh and VMs as simulated nodes of a real control plane)', () => {
  it('stops a worker from the machine list by keyboard, shows it Off and cordoned, and starts it again', { timeout: 420_000 }, async () => {
    const { app, labs } = await setup.openLabs();
    await labs.createLoopbackLab({ baseImage: SIMULATED_BASE_IMAGES.linux, apiServerPort: controlPlane.apiServerPort, linuxWorkers: 1 });
    const row = labs.machineRow(worker);
    await row.getByTestId('machine-node').getByText('Ready', { exact: true }).waitFor({ timeout: 30_000 });
    await row.getByTestId('machine-power').getByText('Running', { exact: true }).waitFor({ timeout: 30_000 });
    // A running VM offers Stop and Restart, not Start (exact: a role name matches substrings, and
    // "Restart lab1-linux1…" contains "start lab1-linux1…").
    expect(await row.getByRole('button', { name: `Start ${worker}…`, exact: true }).count()).toBe(0);

    // Stop by keyboard: the button, then the confirmation's submit.
    await row.getByRole('button', { name: `Stop ${worker}…`, exact: true }).focus();
    await app.page.keyboard.press('Enter');
    const dialog = app.page.getByRole('dialog', { name: `Stop ${worker}?` });
    await dialog.waitFor();
    await dialog.getByRole('list', { name: 'What Stop does' }).getByText(`Shut VM ${worker} down`, { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Drain and shut down' }).focus();
    await app.page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await labs.detail.getByText(`Stop: cordon, drain, shut down ${worker}`).waitFor({ timeout: 20_000 });
    await row.getByTestId('machine-power').getByText('Off', { exact: true }).waitFor({ timeout: 60_000 });
    expect((await workerNode()).spec.unschedulable).toBe(true);
    // The real node lifecycle controller marks it NotReady once its heartbeats stopped.
    await row.getByTestId('machine-node').getByText('NotReady, cordoned', { exact: true }).waitFor({ timeout: 60_000 });
    await labs.screenshotIfAsked('labs-machine-stopped.png');

    // Start, by keyboard.
    await row.getByRole('button', { name: `Start ${worker}…`, exact: true }).focus();
    await app.page.keyboard.press('Enter');
    const start = app.page.getByRole('dialog', { name: `Start ${worker}?` });
    await start.getByRole('list', { name: 'What Start does' }).getByText(`Uncordon ${worker}.`).waitFor();
    await start.getByRole('button', { name: 'Start', exact: true }).focus();
    await app.page.keyboard.press('Enter');
    await start.waitFor({ state: 'detached' });
    await row.getByTestId('machine-power').getByText('Running', { exact: true }).waitFor({ timeout: 60_000 });
    await row.getByTestId('machine-node').getByText('Ready', { exact: true }).waitFor({ timeout: 60_000 });
    const node = await workerNode();
    expect(node.spec.unschedulable).toBeUndefined();
    expect(node.status.conditions.find((condition) => condition.type === 'Ready')?.status).toBe('True');
  });
});
