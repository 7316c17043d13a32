import { describe, expect, it } from 'vitest';
import { DEFAULT_SELF_HEALING } from '../../../shared/contract/labs';
import type { LabMachine, MachineStatus, SelfHealingEvent } from '../../../shared/contract/labs';
import { machinesOf } from '../machines';
import { testPlan } from '../test-plans';
import { decideHealing, healingLimit } from './self-healing-guard';

const now = new Date('2026-12-02T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
/** lab1-cp1 and four Linux workers, all joined. */
const machines: LabMachine[] = machinesOf(testPlan({ linuxWorkers: 4, windowsWorkers: 0 })).map((machine) => ({
  ...machine,
  state: 'joined',
}));
const settings = { ...DEFAULT_SELF_HEALING, enabled: true, graceSeconds: 300, maxMachines: 2, maxFraction: 0.5, windowMinutes: 30 };
const ready = (name: string): MachineStatus => ({ name, node: { ready: true, unschedulable: false, since: ago(3600) } });
const notReady = (name: string, seconds: number, unschedulable = false): MachineStatus => ({
  name,
  node: { ready: false, unschedulable, since: ago(seconds) },
});
const statuses = (...changed: MachineStatus[]) =>
  machines.map((machine) => changed.find((status) => status.name === machine.name) ?? ready(machine.name));
const decide = (list: MachineStatus[], events: SelfHealingEvent[] = [], patch = {}) =>
  decideHealing({ now, settings: { ...settings, ...patch }, machines, statuses: list, events });

describe('self-healing guard', () => {
  it('recreates the worker NotReady longest past the grace period, saying how long', () => {
    expect(decide(statuses(notReady('lab1-linux2', 299)))).toEqual({
      kind: 'wait',
      reason: 'No worker is NotReady past the grace period.',
    });
    expect(decide(statuses(notReady('lab1-linux2', 312)))).toEqual({
      kind: 'recreate',
      machine: 'lab1-linux2',
      reason: 'Node lab1-linux2 has been NotReady for 5 min 12 s, past the grace period of 5 min 0 s.',
    });
    expect(decide(statuses(notReady('lab1-linux2', 400), notReady('lab1-linux3', 900)))).toMatchObject({
      kind: 'recreate',
      machine: 'lab1-linux3',
    });
  });

  it('never recreates a control plane, nor a cordoned worker (maintenance, a VM stopped on purpose)', () => {
    expect(decide(statuses(notReady('lab1-cp1', 3600)))).toMatchObject({ kind: 'wait' });
    expect(decide(statuses(notReady('lab1-linux1', 3600, true)))).toMatchObject({ kind: 'wait' });
  });

  it('judges nothing while the API server does not answer', () => {
    expect(decide(machines.map((machine) => ({ name: machine.name, nodeError: 'connect ECONNREFUSED' })))).toEqual({
      kind: 'wait',
      reason: 'The API server did not answer: no node can be judged.',
    });
  });

  it('the limit is N machines and at most the fraction of the pool, never below one', () => {
    expect(healingLimit(settings, 4)).toBe(2);
    expect(healingLimit({ ...settings, maxFraction: 0.25 }, 4)).toBe(1);
    expect(healingLimit({ ...settings, maxFraction: 0.1 }, 4)).toBe(1);
    expect(healingLimit({ ...settings, maxMachines: 1, maxFraction: 1 }, 4)).toBe(1);
  });

  it('trips when more workers fail at once than it allows: a host or network failure', () => {
    const three = statuses(notReady('lab1-linux1', 400), notReady('lab1-linux2', 400), notReady('lab1-linux3', 400));
    expect(decide(three)).toEqual({
      kind: 'trip',
      reason:
        '3 of 4 workers (lab1-linux1, lab1-linux2, lab1-linux3) are NotReady past the grace period at once, more than the guard allows (2): that looks like a host or network failure, which new VMs would not fix. Self-healing stops; find the cause, then turn it on again.',
    });
  });

  it('trips when the window already holds its limit of recreations, and forgets recreations older than the window', () => {
    const recreated = (machine: string, seconds: number): SelfHealingEvent => ({ at: ago(seconds), kind: 'recreate', machine, reason: '' });
    const failed = statuses(notReady('lab1-linux4', 400));
    expect(decide(failed, [recreated('lab1-linux1', 600)])).toMatchObject({ kind: 'recreate', machine: 'lab1-linux4' });
    expect(decide(failed, [recreated('lab1-linux1', 600), recreated('lab1-linux2', 300)])).toEqual({
      kind: 'trip',
      reason:
        "2 worker(s) were recreated in the last 30 min (lab1-linux1, lab1-linux2), the guard's limit (2): self-healing stops instead of recreating lab1-linux4 too. Find the cause, then turn it on again.",
    });
    expect(decide(failed, [recreated('lab1-linux1', 3600), recreated('lab1-linux2', 1900)])).toMatchObject({ kind: 'recreate' });
  });
});
