/**
 * Power and recreation of a Hyper-V lab's machines (issue 21): a lab on a simulated Windows
 * Hyper-V host (SIMULATION: stand-in Hyper-V cmdlets over the real sshd; the VMs' nodes are
 * simulated kubelets of the real control plane, whose heartbeats stop while a VM is Off).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabSummary } from '../../../src/shared/contract/labs';
import { KubeRestClient } from '../../harness/index.js';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

let lab: LabFixture;
let admin: KubeRestClient;
const worker = 'hvp-linux1';

const vmFile = async (vm: string, file: string) => (await readFile(join(lab.host.simDir, 'hyperv', 'vms', vm, file), 'utf8')).trim();
const bootId = async () =>
  (await admin.request<{ status: { nodeInfo: { bootID: string } } }>('GET', `/api/v1/nodes/${worker}`)).status.nodeInfo.bootID;
const stepsOf = (summary: LabSummary) => summary.operation?.steps.map((step) => [step.id, step.status]);
const run = async (request: Parameters<LabFixture['labs']['machineAction']>[2]) => {
  await lab.labs.machineAction('hvp', worker, request);
  const done = await lab.settled('hvp');
  expect(done.operation?.error).toBeUndefined();
  expect(done.status).toBe('ready');
  return done;
};

beforeAll(async () => {
  lab = await startLabFixture({ os: 'windows' });
  admin = new KubeRestClient(lab.controlPlane.admin, 4);
  await lab.labs.create(lab.plan('hvp', 1, { linuxWorkers: 1, windowsWorkers: 0 }));
  const created = await lab.settled('hvp');
  expect(created.operation?.error).toBeUndefined();
}, 240_000);

afterAll(async () => {
  admin?.close();
  await lab?.stop();
});

describe('Hyper-V lab machines (SIMULATION: stand-in cmdlets on a simulated Windows host)', () => {
  it('shows each VM Running from Get-VM, and every VM starts with the host', async () => {
    const statuses = await lab.labs.machineStatuses('hvp');
    expect(statuses.map((status) => [status.name, status.power])).toEqual([
      ['hvp-cp1', { state: 'running', detail: 'Running' }],
      [worker, { state: 'running', detail: 'Running' }],
    ]);
    expect(await vmFile('hvp-cp1', 'automatic-start-action')).toBe('Start');
    expect(await vmFile(worker, 'automatic-start-action')).toBe('Start');
  });

  it('Stop (Stop-VM after the drain) and Start (Start-VM, Ready with a new boot ID, uncordoned)', { timeout: 120_000 }, async () => {
    const stopped = await run({ action: 'stop' });
    expect(stepsOf(stopped)?.map(([id]) => id)).toEqual([`cordon:${worker}`, `drain:${worker}`, `shutdown:${worker}`]);
    expect(await vmFile(worker, 'state')).toBe('Off');
    expect((await lab.labs.machineStatuses('hvp')).find((status) => status.name === worker)?.power).toEqual({
      state: 'off',
      detail: 'Off',
    });
    const before = await bootId();
    const started = await run({ action: 'start' });
    expect(stepsOf(started)).toEqual([
      [`start:${worker}`, 'done'],
      [`ready-after-boot:${worker}`, 'done'],
      [`uncordon:${worker}`, 'done'],
    ]);
    expect(await vmFile(worker, 'state')).toBe('Running');
    expect(await bootId()).not.toBe(before);
    const events = (await lab.events()).map(([, event, vm]) => `${event} ${vm}`);
    expect(events).toEqual(expect.arrayContaining([`stop-vm ${worker}`, `start-vm ${worker}`]));
  });

  it('Recreate removes the VM and its node and joins a new VM with the same name and static address', { timeout: 240_000 }, async () => {
    const address = (await lab.labs.get('hvp')).machines.find((machine) => machine.name === worker)?.address;
    const before = (await lab.events()).length;
    const recreated = await run({ action: 'recreate' });
    const events = (await lab.events()).slice(before).map(([, event, vm]) => `${event} ${vm}`);
    expect(events.indexOf(`new-vm ${worker}`)).toBeGreaterThan(events.indexOf(`remove-vm ${worker}`));
    expect(recreated.machines.find((machine) => machine.name === worker)).toMatchObject({ state: 'joined', address });
    const statuses = await lab.labs.machineStatuses('hvp');
    expect(statuses.find((status) => status.name === worker)).toMatchObject({ power: { state: 'running' }, node: { ready: true } });
  });
});
