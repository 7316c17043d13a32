import { describe, expect, it } from 'vitest';
import type { ExistingMachine } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { machinesOf } from './machines';
import { scaledPlan, scaleMachines } from './scaling';
import { testPlan } from './test-plans';

const existing: ExistingMachine[] = [
  { hostId: 'h-cp', role: 'control-plane' },
  { hostId: 'h-w1', role: 'linux-worker' },
];
const existingPlan = testPlan({ driver: 'existing', existingMachines: existing, linuxWorkers: 1, windowsWorkers: 0 });

describe('scaling', () => {
  it('gives a VM lab the new worker counts', () => {
    const plan = scaledPlan(testPlan(), { linuxWorkers: 4, windowsWorkers: 0 });
    expect([plan.linuxWorkers, plan.windowsWorkers]).toEqual([4, 0]);
  });

  it("takes an existing-machines lab's new machine list, its counts from the list", () => {
    const plan = scaledPlan(existingPlan, {
      linuxWorkers: 0,
      windowsWorkers: 0,
      existingMachines: [...existing, { hostId: 'h-w2', role: 'linux-worker' }, { hostId: 'h-win', role: 'windows-worker' }],
    });
    expect(plan.existingMachines?.map((machine) => machine.hostId)).toEqual(['h-cp', 'h-w1', 'h-w2', 'h-win']);
    expect([plan.linuxWorkers, plan.windowsWorkers]).toEqual([2, 1]);
  });

  it('refuses an existing-machines scale without a machine list or with other control planes', () => {
    const refusal = (existingMachines?: ExistingMachine[]) => {
      try {
        scaledPlan(existingPlan, { linuxWorkers: 1, windowsWorkers: 0, ...(existingMachines === undefined ? {} : { existingMachines }) });
      } catch (error) {
        return { code: AppError.from(error).code, details: AppError.from(error).details };
      }
      return undefined;
    };
    const expected = { code: 'INVALID_ARGUMENT', details: { field: 'existingMachines' } };
    expect(refusal()).toEqual(expected);
    expect(refusal([{ hostId: 'h-other', role: 'control-plane' }, existing[1] as ExistingMachine])).toEqual(expected);
  });

  it('keeps the machines a scale-down removes in the list until the operation removed them, and reuses their names', () => {
    const machines = machinesOf(testPlan({ linuxWorkers: 3, windowsWorkers: 0 })).map((machine) => ({
      ...machine,
      state: 'joined' as const,
    }));
    const down = scaleMachines(machines, testPlan({ linuxWorkers: 2, windowsWorkers: 0 }));
    expect(down.added).toEqual([]);
    expect(down.removing).toEqual(['lab1-linux3']);
    expect(down.target.map((machine) => machine.name)).toEqual(['lab1-cp1', 'lab1-linux1', 'lab1-linux2']);

    const kept = down.target;
    const up = scaleMachines(kept, testPlan({ linuxWorkers: 3, windowsWorkers: 1 }));
    expect(up.removing).toEqual([]);
    expect(up.added.map((machine) => [machine.name, machine.state])).toEqual([
      ['lab1-linux3', 'absent'],
      ['lab1-win1', 'absent'],
    ]);
    expect(up.target.filter((machine) => machine.state === 'joined')).toEqual(kept);
  });
});
