import { describe, expect, it } from 'vitest';
import { DEFAULT_SELF_HEALING } from '../../../shared/contract/labs';
import type { MachineStatus, SelfHealingEvent } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import { machinesOf } from '../machines';
import { testPlan } from '../test-plans';
import { SelfHealer } from './self-healing';
import type { SelfHealingLabs } from './self-healing';

const machines = machinesOf(testPlan({ linuxWorkers: 2, windowsWorkers: 0 })).map((machine) => ({ ...machine, state: 'joined' as const }));
const longAgo = new Date(Date.now() - 3_600_000).toISOString();
const down = (name: string): MachineStatus => ({ name, node: { ready: false, unschedulable: false, since: longAgo } });
const up = (name: string): MachineStatus => ({ name, node: { ready: true, unschedulable: false, since: longAgo } });

/** The loop over one lab whose statuses are given, recording what it keeps and recreates. */
function healer(statuses: MachineStatus[], events: SelfHealingEvent[] = [], recreate?: () => Promise<void>) {
  const kept: { event: SelfHealingEvent; trip: boolean }[] = [];
  const recreated: string[] = [];
  const errors: string[] = [];
  const labs: SelfHealingLabs = {
    candidates: () =>
      Promise.resolve([{ name: 'lab1', machines, settings: { ...DEFAULT_SELF_HEALING, enabled: true, maxMachines: 1 }, events }]),
    statuses: () => Promise.resolve(statuses),
    record: (_name, event, trip) => {
      kept.push({ event, trip });
      return Promise.resolve();
    },
    recreate: async (_name, machine) => {
      recreated.push(machine);
      await recreate?.();
    },
  };
  return { loop: new SelfHealer(labs, 60_000, (_lab, error) => errors.push(error.message)), kept, recreated, errors };
}

describe('self-healing loop', () => {
  it('starts the recreation, then keeps it with its reason', async () => {
    const { loop, kept, recreated } = healer([up('lab1-cp1'), down('lab1-linux1'), up('lab1-linux2')]);
    await loop.tick();
    expect(kept).toEqual([
      {
        event: expect.objectContaining({
          kind: 'recreate',
          machine: 'lab1-linux1',
          reason: expect.stringMatching(/^Node lab1-linux1 has been NotReady/),
        }),
        trip: false,
      },
    ]);
    expect(recreated).toEqual(['lab1-linux1']);
  });

  it('trips instead of recreating when two of two workers fail at once, and does nothing while all is well', async () => {
    const failing = healer([up('lab1-cp1'), down('lab1-linux1'), down('lab1-linux2')]);
    await failing.loop.tick();
    expect(failing.kept.map(({ event, trip }) => [event.kind, trip])).toEqual([['tripped', true]]);
    expect(failing.recreated).toEqual([]);
    const well = healer([up('lab1-cp1'), up('lab1-linux1'), up('lab1-linux2')]);
    await well.loop.tick();
    expect(well.kept).toEqual([]);
  });

  it('reports a recreation that could not start, keeps nothing of it, and looks again on the next tick', async () => {
    const { loop, errors, recreated, kept } = healer([up('lab1-cp1'), down('lab1-linux1'), up('lab1-linux2')], [], () =>
      Promise.reject(new AppError('CONFLICT', 'Lab "lab1" is busy with an operation. Wait for it or cancel it first.')),
    );
    await loop.tick();
    expect(errors).toEqual(['Lab "lab1" is busy with an operation. Wait for it or cancel it first.']);
    await loop.tick();
    expect(recreated).toEqual(['lab1-linux1', 'lab1-linux1']);
    expect(kept).toEqual([]);
  });
});
