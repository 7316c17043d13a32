import { describe, expect, it } from 'vitest';
import type { LabMachine } from '../../../shared/contract/labs';
import type { ExecResult } from '../../hosts/ssh-connection';
import { dryRunSteps } from '../engine';
import { machinesOf } from '../machines';
import { done } from '../step-context';
import { testPlan } from '../test-plans';
import { parseHypervSnapshots } from './hyperv-snapshots';
import { checkRevert, deleteLabSnapshot, labSnapshotName, labSnapshotSteps, listLabSnapshots } from './lab-snapshots';
import type { SnapshotHost } from './lab-snapshots';

const plan = testPlan({ windowsWorkers: 0, linuxWorkers: 1 });
const machines: LabMachine[] = machinesOf(plan).map((machine) => ({ ...machine, state: 'joined' }));
const cluster = { waitReady: () => Promise.resolve(done()) };
const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });

/** The dry run's commands of an operation's steps, one line each. */
async function commands(kind: 'lab-snapshot' | 'lab-revert', driver: 'libvirt' | 'hyperv') {
  const labPlan = { ...plan, driver };
  const steps = await dryRunSteps(labPlan, machines, '/srv', labSnapshotSteps(kind, labPlan, machines, 'nestlab-20261202-194500', cluster));
  return steps.flatMap((step) => step.commands.map((command) => `[${step.id}] ${command.display}`));
}

/** A host whose virsh knows these snapshots per domain (a domain not listed does not exist). */
function libvirtHost(snapshots: Record<string, string[]>) {
  const calls: string[] = [];
  const host: SnapshotHost = {
    run: (argv) => {
      calls.push(argv.join(' '));
      const [, , , verb, domain = ''] = argv;
      if (!(domain in snapshots)) {
        return Promise.resolve({ exitCode: 1, stdout: '', stderr: `error: failed to get domain '${domain}'\nerror: Domain not found` });
      }
      return Promise.resolve(verb === 'snapshot-list' ? ok(`${snapshots[domain]!.join('\n')}\n\n`) : ok());
    },
    runPowerShell: () => Promise.reject(new Error('not a Hyper-V host')),
  };
  return { host, calls };
}

describe('lab snapshots', () => {
  it('names snapshots by the UTC second', () => {
    expect(labSnapshotName(new Date('2026-12-02T19:45:00.123Z'))).toBe('nestlab-20261202-194500');
  });

  it('libvirt: pauses every running VM, snapshots each, resumes them; observes first', async () => {
    expect(await commands('lab-snapshot', 'libvirt')).toMatchSnapshot();
  });

  it('libvirt: reverts each VM, resumes the paused ones together, then waits for the nodes', async () => {
    expect(await commands('lab-revert', 'libvirt')).toMatchSnapshot();
  });

  it('Hyper-V: one script pauses, checkpoints (standard) and resumes in a finally; one restores and starts', async () => {
    expect(await commands('lab-snapshot', 'hyperv')).toMatchSnapshot();
    expect(await commands('lab-revert', 'hyperv')).toMatchSnapshot();
  });

  it('lists the snapshots every VM has as complete, the others as incomplete, and ignores names Nestlab did not give', async () => {
    const { host } = libvirtHost({
      'lab1-cp1': ['before-upgrade', 'nestlab-20261202-100000', 'nestlab-20261202-110000'],
      'lab1-linux1': ['nestlab-20261202-100000'],
    });
    const list = await listLabSnapshots(plan, machines, host);
    expect(list).toEqual({
      supported: true,
      snapshots: [
        { name: 'nestlab-20261202-100000', takenAt: '2026-12-02T10:00:00.000Z', machines: ['lab1-cp1', 'lab1-linux1'], complete: true },
        { name: 'nestlab-20261202-110000', takenAt: '2026-12-02T11:00:00.000Z', machines: ['lab1-cp1'], complete: false },
      ],
    });
    expect(() => checkRevert(list, 'lab1', 'nestlab-20261202-100000', machines)).not.toThrow();
    expect(() => checkRevert(list, 'lab1', 'nestlab-20261202-110000', machines)).toThrow(
      'Snapshot nestlab-20261202-110000 is not on every VM of lab "lab1" (missing on lab1-linux1), so reverting to it would mix two moments.',
    );
    expect(() => checkRevert(list, 'lab1', 'nestlab-20261202-120000', machines)).toThrow(
      'Lab "lab1" has no snapshot nestlab-20261202-120000.',
    );
  });

  it('says why a lab of existing machines has none', async () => {
    const list = await listLabSnapshots({ ...plan, driver: 'existing' }, machines, libvirtHost({}).host);
    expect(list).toMatchObject({ supported: false, reason: expect.stringMatching(/^Lab snapshots are snapshots of VMs/) });
  });

  it('deletes the snapshot from the VMs that have it', async () => {
    const { host, calls } = libvirtHost({ 'lab1-cp1': ['nestlab-20261202-100000'], 'lab1-linux1': [] });
    await deleteLabSnapshot(plan, machines, host, 'nestlab-20261202-100000');
    expect(calls.filter((call) => call.includes('snapshot-delete'))).toEqual([
      'virsh -c qemu:///system snapshot-delete lab1-cp1 nestlab-20261202-100000',
    ]);
  });

  it('reads Get-VMSnapshot lines', () => {
    expect(parseHypervSnapshots('lab1-cp1\tnestlab-20261202-100000\r\nlab1-linux1\tnestlab-20261202-100000\r\n\r\n')).toEqual([
      { vm: 'lab1-cp1', name: 'nestlab-20261202-100000' },
      { vm: 'lab1-linux1', name: 'nestlab-20261202-100000' },
    ]);
  });
});
