import { describe, expect, it } from 'vitest';
import { defaultLabPlan, type LabStep, type LabSummary } from '../../../shared/contract';
import {
  canResume,
  describeNodeCounts,
  formatDuration,
  labStatus,
  nodeCounts,
  operationTimes,
  overallProgress,
  progressAnnouncement,
  sortMachines,
  stepElapsedMs,
} from './lab-progress';

const plan = defaultLabPlan('h1');
const steps: LabStep[] = [
  { id: 'a', phase: 'network', title: 'Create the network', status: 'done', progress: 1, estimateMs: 5000 },
  { id: 'b', phase: 'vms', title: 'Create VM lab1-cp1', status: 'skipped', progress: 1, estimateMs: 5000, detail: 'VM already running' },
  {
    id: 'c',
    phase: 'bootstrap',
    title: 'kubeadm init on lab1-cp1',
    status: 'running',
    progress: 0.4,
    estimateMs: 60_000,
    startedAt: '2026-01-01T00:01:00.000Z',
  },
  { id: 'd', phase: 'nodes', title: 'Wait for nodes Ready', status: 'pending', progress: 0, estimateMs: 30_000 },
];

function lab(patch: Partial<LabSummary> = {}): LabSummary {
  return {
    name: 'lab1',
    hostId: 'h1',
    status: 'running',
    plan,
    machines: [
      { name: 'lab1-cp1', role: 'control-plane', os: 'linux', size: plan.sizes.controlPlane, state: 'joined' },
      { name: 'lab1-linux1', role: 'linux-worker', os: 'linux', size: plan.sizes.linuxWorker, state: 'created' },
      { name: 'lab1-linux2', role: 'linux-worker', os: 'linux', size: plan.sizes.linuxWorker, state: 'absent' },
    ],
    operation: { kind: 'provision', steps, progress: 0.45, startedAt: '', elapsedMs: 60_000, remainingMs: 50_000 },
    createdAt: '',
    updatedAt: '2026-01-01T00:02:00.000Z',
    ...patch,
  };
}

const at = (iso: string) => Date.parse(iso);

describe('lab progress', () => {
  it('carries elapsed and remaining time forward from the last change while the operation runs', () => {
    expect(operationTimes(lab(), at('2026-01-01T00:02:10.000Z'))).toEqual({ elapsedMs: 70_000, remainingMs: 40_000, overdue: false });
    expect(operationTimes(lab(), at('2026-01-01T00:03:10.000Z'))).toEqual({ elapsedMs: 130_000, remainingMs: 0, overdue: true });
    // Stopped: the figures as the service left them, no estimate.
    expect(operationTimes(lab({ status: 'failed' }), at('2026-01-01T00:09:00.000Z'))).toEqual({
      elapsedMs: 60_000,
      remainingMs: undefined,
      overdue: false,
    });
  });

  it('times a running step until now and a finished one until it finished', () => {
    const running = steps[2]!;
    expect(stepElapsedMs(running, at('2026-01-01T00:01:30.000Z'))).toBe(30_000);
    expect(stepElapsedMs({ ...running, finishedAt: '2026-01-01T00:01:05.000Z' }, at('2026-01-01T00:09:00.000Z'))).toBe(5000);
    expect(stepElapsedMs(steps[3]!, 0)).toBeUndefined();
  });

  it('fills the overall bar from the operation, and fully for a finished ready lab', () => {
    expect(overallProgress(lab())).toBe(0.45);
    expect(overallProgress(lab({ status: 'ready', operation: { ...lab().operation!, finishedAt: 'x' } }))).toBe(1);
    expect(overallProgress(lab({ operation: undefined, status: 'ready' }))).toBe(1);
  });

  it('says the status in words, naming the failed step', () => {
    expect(labStatus(lab())).toMatchObject({ label: 'Provisioning…', icon: 'clock' });
    const failed = lab({ status: 'failed', operation: { ...lab().operation!, steps: [{ ...steps[2]!, status: 'failed' }] } });
    expect(labStatus(failed)).toMatchObject({ label: 'Failed at: kubeadm init on lab1-cp1', tone: 'bad', icon: 'alert' });
    expect(canResume(failed)).toBe(true);
    expect(canResume(lab({ status: 'ready' }))).toBe(false);
    expect(labStatus(lab({ status: 'running', operation: { ...lab().operation!, kind: 'scale' } })).label).toBe('Scaling…');
  });

  it('counts nodes by role and membership', () => {
    const counts = nodeCounts(lab().machines);
    expect(counts).toMatchObject({ controlPlanes: 1, linuxWorkers: 2, windowsWorkers: 0, joined: 1, total: 3 });
    expect(describeNodeCounts(counts)).toBe('1 control plane · 2 Linux workers · 0 Windows workers');
  });

  it('announces steps, not percentages', () => {
    expect(progressAnnouncement(lab())).toBe('lab1: Provisioning… 2 of 4 steps done; now: kubeadm init on lab1-cp1.');
  });

  it('formats durations for people', () => {
    expect([450, 42_000, 185_000, 120_000, 3_720_000].map(formatDuration)).toEqual(['450 ms', '42 s', '3 min 5 s', '2 min', '1 h 2 min']);
  });
});

describe('machine order', () => {
  it('lists machines by role, then by number', () => {
    const size = plan.sizes.linuxWorker;
    const names = ['lab1-linux10', 'lab1-win1', 'lab1-linux2', 'lab1-cp1'].map((name) => ({
      name,
      role: name.includes('cp')
        ? ('control-plane' as const)
        : name.includes('win')
          ? ('windows-worker' as const)
          : ('linux-worker' as const),
      os: name.includes('win') ? ('windows' as const) : ('linux' as const),
      size,
      state: 'joined' as const,
    }));
    expect(sortMachines(names).map((machine) => machine.name)).toEqual(['lab1-cp1', 'lab1-linux2', 'lab1-linux10', 'lab1-win1']);
  });
});
