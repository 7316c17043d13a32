import { describe, expect, it } from 'vitest';
import type { LabOperation, LabStep } from '../../shared/contract/labs';
import { initialSteps, runSteps, summarizeProgress, type EngineEnvironment } from './engine';
import { done } from './step-context';
import type { StepDefinition } from './step-planner';

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

  it('counts the control-plane joins one after another, as they run', () => {
    const steps = [step('join:cp2', 'join-control-planes', 60_000, 'done', 1), step('join:cp3', 'join-control-planes', 60_000, 'pending')];
    expect(summarizeProgress(steps)).toEqual({ progress: 0.5, remainingMs: 60_000 });
  });

  it('is complete when every step is done or skipped', () => {
    expect(summarizeProgress([step('a', 'vms', 5_000, 'skipped'), step('b', 'nodes', 5_000, 'done', 1)])).toEqual({
      progress: 1,
      remainingMs: 0,
    });
  });
});

describe('runSteps', () => {
  const environment = { log: () => undefined, changed: () => undefined } as unknown as EngineEnvironment;
  const operation = (definitions: StepDefinition[]): LabOperation => ({
    kind: 'provision',
    steps: initialSteps(definitions),
    progress: 0,
    startedAt: new Date().toISOString(),
    elapsedMs: 0,
    remainingMs: 0,
  });

  /** Steps that record when they start and end, and wait for the test to let them finish. */
  function recorder(phase: StepDefinition['phase'], ids: string[], fail: string[] = []) {
    const events: string[] = [];
    const releases = new Map<string, () => void>();
    const started = new Map<string, Promise<void>>();
    const markers = new Map<string, () => void>();
    for (const id of ids) started.set(id, new Promise<void>((resolve) => markers.set(id, resolve)));
    const definitions: StepDefinition[] = ids.map((id) => ({
      id,
      phase,
      title: id,
      estimateMs: 1,
      run: async () => {
        events.push(`start ${id}`);
        markers.get(id)?.();
        await new Promise<void>((resolve) => releases.set(id, resolve));
        events.push(`end ${id}`);
        if (fail.includes(id)) throw new Error(`${id} failed`);
        return done();
      },
    }));
    return { events, definitions, started, release: (id: string) => releases.get(id)?.() };
  }

  it('runs the steps of a phase side by side', async () => {
    const { events, definitions, started, release } = recorder('join-linux-workers', ['join:w1', 'join:w2']);
    const running = runSteps(environment, operation(definitions), definitions, new AbortController().signal);
    await Promise.all([started.get('join:w1'), started.get('join:w2')]);
    release('join:w1');
    release('join:w2');
    await running;
    expect(events.slice(0, 2)).toEqual(['start join:w1', 'start join:w2']);
  });

  it('joins control planes one at a time, and leaves the next pending when one fails', async () => {
    const { events, definitions, started, release } = recorder('join-control-planes', ['join:cp2', 'join:cp3', 'join:cp4'], ['join:cp3']);
    const state = operation(definitions);
    const running = runSteps(environment, state, definitions, new AbortController().signal);
    await started.get('join:cp2');
    release('join:cp2');
    await started.get('join:cp3');
    release('join:cp3');
    await expect(running).rejects.toThrow('join:cp3 failed');
    expect(events).toEqual(['start join:cp2', 'end join:cp2', 'start join:cp3', 'end join:cp3']);
    expect(state.steps.map((entry) => [entry.id, entry.status])).toEqual([
      ['join:cp2', 'done'],
      ['join:cp3', 'failed'],
      ['join:cp4', 'pending'],
    ]);
  });
});
