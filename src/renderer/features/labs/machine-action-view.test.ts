import { describe, expect, it } from 'vitest';
import { defaultLabPlan, type LabMachine, type LabSummary } from '../../../shared/contract';
import {
  drillTime,
  labOfContext,
  machineActionBlocked,
  machineActionSteps,
  machineOperationOf,
  nodeStateLabel,
  powerActions,
  powerLabel,
} from './machine-action-view';

const worker: LabMachine = {
  name: 'lab1-linux1',
  role: 'linux-worker',
  os: 'linux',
  size: { preset: 'small', cpus: 2, memoryMiB: 2048, diskGiB: 20 },
  state: 'joined',
};
const lab = (patch: Partial<LabSummary> = {}): LabSummary => ({
  name: 'lab1',
  hostId: 'h1',
  status: 'ready',
  plan: defaultLabPlan('h1'),
  machines: [worker],
  context: 'lab1',
  createdAt: '2026-12-02T10:00:00Z',
  updatedAt: '2026-12-02T10:00:00Z',
  ...patch,
});
const operation = (kind: 'maintain' | 'scale', machine?: string) => ({
  kind,
  steps: [],
  progress: 0,
  startedAt: '2026-12-02T10:00:00Z',
  elapsedMs: 0,
  remainingMs: 0,
  ...(machine === undefined ? {} : { machine }),
});

describe('machine actions: availability', () => {
  it('allows actions on a ready lab or after a stopped machine operation, not while another runs or after a failed scale', () => {
    expect(machineActionBlocked(lab())).toBeUndefined();
    expect(machineActionBlocked(lab({ status: 'failed', operation: operation('maintain', 'lab1-linux1') }))).toBeUndefined();
    expect(machineActionBlocked(lab({ status: 'running' }))).toBe('Wait for the running operation to finish.');
    expect(machineActionBlocked(lab({ status: 'failed', operation: operation('scale') }))).toBe('The lab is failed: resume it first.');
  });

  it('says the node state in words, and why an etcd VM or an unjoined machine has none', () => {
    expect(nodeStateLabel(worker, { name: worker.name, node: { ready: true, unschedulable: true } })).toBe('Ready, cordoned');
    expect(nodeStateLabel(worker, { name: worker.name, node: { ready: false, unschedulable: false } })).toBe('NotReady');
    expect(nodeStateLabel(worker, { name: worker.name, nodeError: 'refused' })).toBe('unknown (the API server did not answer)');
    expect(nodeStateLabel(worker, { name: worker.name })).toBe('no node registered');
    expect(nodeStateLabel({ ...worker, role: 'etcd' }, undefined)).toBe('etcd only: no Kubernetes node');
    expect(nodeStateLabel({ ...worker, state: 'created' }, undefined)).toBe('not joined yet');
  });

  it('finds the lab of a topology context and its machine operation on one node', () => {
    const maintaining = lab({ operation: operation('maintain', 'lab1-linux1') });
    expect(labOfContext([maintaining], 'lab1')).toBe(maintaining);
    expect(labOfContext([maintaining], 'prod')).toBeUndefined();
    expect(machineOperationOf(maintaining, 'lab1-linux1')?.kind).toBe('maintain');
    expect(machineOperationOf(maintaining, 'lab1-cp1')).toBeUndefined();
    expect(machineOperationOf(lab({ operation: operation('scale') }), 'lab1-linux1')).toBeUndefined();
  });
});

describe('power state and power actions', () => {
  const status = (state: 'running' | 'off' | 'other', detail: string = state) => ({
    name: worker.name,
    node: { ready: state === 'running', unschedulable: false },
    power: { state, detail },
  });

  it('names the power state, the hypervisor’s word where it is not one of ours, and why it is unknown', () => {
    expect(powerLabel(lab(), status('running'))).toBe('Running');
    expect(powerLabel(lab(), status('off', 'shut off'))).toBe('Off');
    expect(powerLabel(lab(), status('other', 'no state'))).toBe('Other (no state)');
    expect(powerLabel(lab(), { name: worker.name, powerError: 'ssh: connect refused' })).toBe('unknown (the host did not answer)');
    expect(powerLabel(lab(), undefined)).toBe('…');
    expect(powerLabel(lab({ plan: { ...defaultLabPlan('h1'), driver: 'existing' } }), status('running'))).toBe('not a VM');
  });

  it('offers Stop, Restart and the drill on a running worker, Start on a stopped one, Recreate on any worker', () => {
    expect(powerActions(lab(), worker, status('running'))).toEqual(['stop', 'restart', 'simulate-failure', 'recreate']);
    expect(powerActions(lab(), worker, status('off'))).toEqual(['start', 'recreate']);
    // Unknown power: only what does not depend on it.
    expect(powerActions(lab(), worker, undefined)).toEqual(['recreate']);
    // A worker that never joined can only be recreated.
    expect(powerActions(lab(), { ...worker, state: 'created' }, status('running'))).toEqual(['recreate']);
  });

  it('never offers Recreate or the drill on a control plane, and nothing on etcd VMs or existing machines', () => {
    const controlPlane: LabMachine = { ...worker, name: 'lab1-cp1', role: 'control-plane' };
    expect(powerActions(lab(), controlPlane, status('running'))).toEqual(['stop', 'restart']);
    expect(powerActions(lab(), { ...worker, role: 'etcd' }, status('running'))).toEqual([]);
    expect(powerActions(lab({ plan: { ...defaultLabPlan('h1'), driver: 'existing' } }), worker, status('running'))).toEqual([]);
  });

  it('says each action’s steps, and the drill’s times in seconds then minutes', () => {
    expect(machineActionSteps('restart', 'lab1-linux1').at(-1)).toBe(
      'Wait until node lab1-linux1 is Ready after the boot, then uncordon it.',
    );
    expect(machineActionSteps('simulate-failure', 'lab1-linux1')[0]).toMatch(/without cordoning or draining/);
    const event = (atMs: number) => ({ kind: 'eviction' as const, atMs, at: '2026-12-02T10:00:00Z', text: '' });
    expect(drillTime(event(42_149))).toBe('+42.1 s');
    expect(drillTime(event(312_600))).toBe('+5 min 13 s');
  });

  it('counts the power operations as machine operations of their machine', () => {
    expect(
      machineOperationOf(lab({ operation: { ...operation('maintain', worker.name), kind: 'failure-drill' } }), worker.name)?.kind,
    ).toBe('failure-drill');
  });
});
