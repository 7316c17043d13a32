/**
 * Maintain and Resume of a lab node in Chromium (issue 21): a kubeadm lab created in the Labs
 * view on a stand-in libvirt host (SIMULATION: stand-in VMs join a real control plane as simulated
 * nodes, see tests/e2e/labs.test.ts). From the topology map's node: Maintain (cordon and drain,
 * its progress, the pod evicted through the real eviction API) and Resume; the Labs view's
 * machine list shows the node cordoned and offers the same actions, by keyboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRestClient, waitFor } from '../harness/index.js';
import type { ControlPlane } from '../harness/index.js';
import { SIMULATED_BASE_IMAGES } from '../harness/ssh/simulated-host-files';
import { TopologyPage } from './pages/topology-page';
import { startLabHostSetup, type LabHostSetup } from './support/lab-host-setup';

const password = 'CANARY-e2e-maintain-71c2e0';
const worker = 'lab1-linux1';

let setup: LabHostSetup;
let controlPlane: ControlPlane;
let admin: KubeRestClient;

beforeAll(async () => {
  setup = await startLabHostSetup({ password, dataDirPrefix: 'nestlab-e2e-maintain-' });
  ({ controlPlane } = setup);
  admin = new KubeRestClient(controlPlane.admin, 4);
}, 180_000);

afterAll(async () => {
  admin?.close();
  await setup?.stop();
});

const cordoned = async () =>
  (await admin.request<{ spec: { unschedulable?: boolean } }>('GET', `/api/v1/nodes/${worker}`)).spec.unschedulable === true;

describe('Maintain and Resume of a lab node (SIMULATION: stand-in VMs as simulated nodes of a real control plane)', () => {
  it('maintains a node from the map with progress, shows it cordoned in the Labs view, and resumes it', { timeout: 420_000 }, async () => {
    const { app, labs } = await setup.openLabs();
    await labs.createLoopbackLab({ baseImage: SIMULATED_BASE_IMAGES.linux, apiServerPort: controlPlane.apiServerPort, linuxWorkers: 1 });
    await labs.machineRow(worker).getByTestId('machine-node').getByText('Ready', { exact: true }).waitFor({ timeout: 30_000 });

    // A pod on the worker for the drain to move.
    await admin.request('POST', '/api/v1/namespaces/default/pods', {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'victim' },
        spec: { nodeName: worker, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9' }] },
      },
    });
    await waitFor(
      async () =>
        (await admin.request<{ status: { phase?: string } }>('GET', '/api/v1/namespaces/default/pods/victim')).status.phase === 'Running'
          ? true
          : undefined,
      { description: 'the victim pod to run' },
    );

    // The map of the lab's context, and the worker's box.
    await labs.detail.getByRole('button', { name: 'Show topology' }).click();
    const topology = new TopologyPage(app.page);
    await topology.node(worker).waitFor({ timeout: 30_000 });
    await topology.node(worker).click();
    const machine = topology.details.getByRole('region', { name: `Lab machine ${worker}` });
    await machine.getByText('Machine of lab lab1').waitFor();
    expect(await machine.getByRole('button', { name: `Resume ${worker}` }).count()).toBe(0);

    // Maintain by keyboard: the button, then the dialog's submit.
    await machine.getByRole('button', { name: `Maintain ${worker}…` }).focus();
    await app.page.keyboard.press('Enter');
    const dialog = app.page.getByRole('dialog', { name: `Maintain ${worker}?` });
    await dialog.waitFor();
    await dialog
      .getByRole('list', { name: 'What Maintain does' })
      .getByText('Leave it cordoned for your maintenance.', { exact: false })
      .waitFor();
    await dialog.getByRole('button', { name: 'Cordon and drain' }).focus();
    await app.page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    const progress = machine.getByTestId('machine-operation');
    await progress.getByText(`${worker} is drained and stays cordoned.`).waitFor({ timeout: 60_000 });
    expect(await progress.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await expect(admin.request('GET', '/api/v1/namespaces/default/pods/victim')).rejects.toMatchObject({ status: 404 });
    expect(await cordoned()).toBe(true);
    // The map follows the node: the panel offers Resume once the watch shows it cordoned.
    await machine.getByText(`Machine of lab lab1 · cordoned`).waitFor({ timeout: 20_000 });
    await labs.screenshotIfAsked('labs-node-maintenance.png');

    // The Labs view's machine list says the same and offers Resume.
    await app.openView('Labs');
    const row = labs.machineRow(worker);
    await row.getByTestId('machine-node').getByText('Ready, cordoned', { exact: true }).waitFor({ timeout: 20_000 });
    await row.getByRole('button', { name: `Resume ${worker}` }).waitFor();
    await labs.detail.getByText(`Maintenance: cordon and drain ${worker}`).waitFor();

    // Resume from the map, by keyboard.
    await app.openView('Topology');
    await topology.node(worker).waitFor({ timeout: 30_000 });
    // The details panel may still show the worker from before.
    if (!(await machine.isVisible())) await topology.node(worker).click();
    await machine.getByRole('button', { name: `Resume ${worker}` }).focus();
    await app.page.keyboard.press('Enter');
    await progress.getByText(`${worker} is uncordoned.`).waitFor({ timeout: 60_000 });
    expect(await cordoned()).toBe(false);
    await machine.getByRole('button', { name: `Resume ${worker}` }).waitFor({ state: 'detached', timeout: 20_000 });
  });
});
