import { describe, expect, it } from 'vitest';
import { defaultLabPlan, type LabMachine, type LabSummary } from '../../../shared/contract';
import { labOfContext, machineActionBlocked, machineOperationOf, nodeStateLabel } from './machine-action-view';

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
