import { describe, expect, it } from 'vitest';
import type { LabStep } from '../../shared/contract/labs';
import { summarizeProgress } from './engine';

const step = (id: string, phase: LabStep['phase'], estimateMs: number, status: LabStep['status'], progress = 0): LabStep => ({
  id,
  phase,
  title: id,
  status,
  progress,
  estimateMs,
});

describe('summarizeProgress', () => {
  it('counts a phase once, by its longest step, since its steps run side by side', () => {
    const steps = [
      step('prepare', 'prepare', 1_000, 'done', 1),
      step('vm1', 'vms', 10_000, 'done', 1),
      step('vm2', 'vms', 10_000, 'running', 0.5),
      step('bootstrap', 'bootstrap', 9_000, 'pending'),
    ];
    // Total 1 + 10 + 9 = 20 s; left: vm2's half (5 s) + bootstrap (9 s).
    const { progress, remainingMs } = summarizeProgress(steps);
    expect(progress).toBeCloseTo(0.3);
    expect(remainingMs).toBe(14_000);
  });

  it('is complete when every step is done or skipped', () => {
    expect(summarizeProgress([step('a', 'vms', 5_000, 'skipped'), step('b', 'nodes', 5_000, 'done', 1)])).toEqual({
      progress: 1,
      remainingMs: 0,
    });
  });
});
