/**
 * Lab snapshots (issue 21): Snapshot and Revert of a whole lab through the labs service, on a
 * stand-in libvirt host and a simulated Windows Hyper-V host (SIMULATION: the VMs are stand-ins,
 * their "disks" the files of $NESTLAB_SIM_DIR/vms/<vm>, and joined VMs are simulated nodes of the
 * harness's real control plane; see lab-fixture.ts). What is checked is the order of the
 * hypervisor commands (every VM paused before the first snapshot, resumed after the last), that a
 * revert brings back every VM's disk as it was and the nodes Ready, and the list and delete.
 *
 * A real libvirt run would go in tests/integration/real-vms: a provisioned lab (NESTLAB_REAL_VMS_KUBEADM
 * guests), a snapshot, a file written in a guest, a revert, the file gone and the nodes Ready. It
 * needs internal qcow2 snapshots with the raw, read-only seed disk attached (libvirt's
 * snapshot-create-as skips read-only disks only on some versions: the run would tell).
 */
import { chown, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UID } from '../../harness/ssh/simulated-host-files';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

/** Events of the stand-ins since `from`, as [event, vm] pairs. */
async function eventsSince(lab: LabFixture, from: number): Promise<string[][]> {
  return (await lab.events()).slice(from).map(([, event = '', vm = '']) => [event, vm]);
}

/** A file on the VM's stand-in disk. */
const diskFile = (lab: LabFixture, vm: string) => join(lab.host.simDir, 'vms', vm, 'lab-snapshot-marker');

async function writeDisk(lab: LabFixture, vm: string, text: string): Promise<void> {
  await writeFile(diskFile(lab, vm), text);
  await chown(diskFile(lab, vm), TEST_UID, TEST_UID);
}

for (const os of ['linux', 'windows'] as const) {
  const hypervisor = os === 'linux' ? 'libvirt' : 'Hyper-V';
  describe(`lab snapshots on a ${hypervisor} host (SIMULATION: stand-in VMs)`, () => {
    let lab: LabFixture;

    beforeAll(async () => {
      lab = await startLabFixture({ os });
    }, 180_000);

    afterAll(async () => {
      await lab?.stop();
    });

    it('snapshots every VM at one moment, reverts the lab to it and deletes it', { timeout: 240_000 }, async () => {
      const name = os === 'linux' ? 'snap' : 'hvsnap';
      const started = await lab.labs.create(lab.plan(name, 2, { linuxWorkers: 1, windowsWorkers: 0 }));
      expect(started.status === 'started' ? 'started' : JSON.stringify(started)).toBe('started');
      const ready = await lab.settled(name);
      expect(ready.operation?.error).toBeUndefined();
      const vms = ready.machines.map((machine) => machine.name).sort();
      expect(vms).toEqual([`${name}-cp1`, `${name}-linux1`]);
      expect(await lab.labs.labSnapshots(name)).toEqual({ supported: true, snapshots: [] });
      for (const vm of vms) await writeDisk(lab, vm, 'before');

      const before = (await lab.events()).length;
      await lab.labs.saveLabSnapshot(name);
      const saved = await lab.settled(name);
      expect(saved.operation?.error).toBeUndefined();
      expect(saved).toMatchObject({ status: 'ready', operation: { kind: 'lab-snapshot' } });
      const events = await eventsSince(lab, before);
      const [pause, snapshot, resume] =
        os === 'linux' ? ['suspend', 'snapshot-create', 'resume'] : ['suspend-vm', 'checkpoint-vm', 'resume-vm'];
      const order = events.filter(([event]) => [pause, snapshot, resume].includes(event!)).map(([event]) => event);
      // Every VM stands still before the first snapshot and runs again only after the last.
      expect(order).toEqual([pause, pause, snapshot, snapshot, resume, resume]);
      expect(
        events
          .filter(([event]) => event === snapshot)
          .map(([, vm]) => vm)
          .sort(),
      ).toEqual(vms);

      const list = await lab.labs.labSnapshots(name);
      expect(list.snapshots).toEqual([expect.objectContaining({ machines: vms, complete: true })]);
      const snapshotName = list.snapshots[0]!.name;
      expect(snapshotName).toMatch(/^nestlab-\d{8}-\d{6}$/);

      // Work after the snapshot, then back to it.
      for (const vm of vms) await writeDisk(lab, vm, 'after');
      const beforeRevert = (await lab.events()).length;
      await lab.labs.revertLabSnapshot(name, snapshotName);
      const reverted = await lab.settled(name);
      expect(reverted.operation?.error).toBeUndefined();
      expect(reverted).toMatchObject({ status: 'ready', operation: { kind: 'lab-revert' } });
      expect(reverted.operation?.steps.map((step) => [step.id, step.status])).toEqual([
        ['lab-revert', 'done'],
        ['nodes-ready', expect.stringMatching(/^(done|skipped)$/)],
      ]);
      for (const vm of vms) expect(await readFile(diskFile(lab, vm), 'utf8')).toBe('before');
      const revertEvents = (await eventsSince(lab, beforeRevert)).map(([event]) => event);
      const restore = os === 'linux' ? 'snapshot-revert' : 'restore-vmsnapshot';
      expect(revertEvents.filter((event) => event === restore)).toHaveLength(2);
      const nodes = await lab.clusters.listNodes(name);
      expect(nodes.map((node) => [node.name, node.ready])).toEqual(vms.map((vm) => [vm, true]));

      // A snapshot only some VMs have cannot be reverted to; delete removes it everywhere.
      await expect(lab.labs.revertLabSnapshot(name, 'nestlab-20000101-000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await lab.labs.deleteLabSnapshot(name, snapshotName)).toEqual({ supported: true, snapshots: [] });
    });
  });
}
