import { describe, expect, it } from 'vitest';
import { DEFAULT_SELF_HEALING } from '../../shared/contract/labs';
import type { LabRecord } from './lab-store';
import { labSummary } from './lab-summary';
import { machinesOf } from './machines';
import { testPlan } from './test-plans';

function record(overrides: Partial<LabRecord> = {}): LabRecord {
  const plan = testPlan();
  return {
    version: 1,
    id: 'lab-id',
    plan,
    status: 'ready',
    machines: machinesOf(plan),
    removing: [],
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T11:00:00.000Z',
    ...overrides,
  };
}

const tunnel = {
  mode: 'tunnel' as const,
  server: 'https://127.0.0.1:16443',
  localPort: 16443,
  tlsServerName: 'lab1-api.lab.internal',
  target: '192.168.160.10:6443',
  reason: 'port 16443 of kvm-lab did not answer from this computer (ETIMEDOUT)',
};

describe('lab summary', () => {
  it('leaves out what an operation was asked for (drain limit, etcd request, machine request)', () => {
    const shown = {
      kind: 'maintain' as const,
      steps: [],
      progress: 0.5,
      startedAt: '2026-12-01T11:00:00.000Z',
      elapsedMs: 10,
      remainingMs: 20,
      machine: 'lab1-linux1',
    };
    const operation = {
      ...shown,
      drainTimeoutSeconds: 300,
      etcd: { snapshot: 'etcd-20261201-110000' },
      node: { deleteEmptyDirData: true },
    };
    expect(labSummary(record({ operation })).operation).toEqual(shown);
  });

  it('hands out copies: changing the summary leaves the record as it was', () => {
    const saved = record({ selfHealing: { settings: { ...DEFAULT_SELF_HEALING, enabled: true }, events: [] } });
    const summary = labSummary(saved);
    const first = summary.machines[0];
    if (first === undefined) throw new Error('the plan has machines');
    first.state = 'joined';
    summary.selfHealing?.events.push({ at: '2026-12-01T11:00:00.000Z', kind: 'armed', reason: 'Turned on.' });
    expect(saved.machines[0]?.state).toBe('absent');
    expect(saved.selfHealing?.events).toEqual([]);
    expect(summary).not.toHaveProperty('context');
    expect(summary).not.toHaveProperty('operation');
  });

  it("shows a saved tunnel's problem, and never one on direct access", () => {
    const problem = 'The SSH tunnel to the API server could not listen on 127.0.0.1:16443: taken.';
    expect(labSummary(record({ endpointAccess: tunnel }), problem).endpointAccess).toEqual({ ...tunnel, problem });
    expect(labSummary(record({ endpointAccess: tunnel })).endpointAccess).toEqual(tunnel);
    const direct = { mode: 'direct' as const, server: 'https://kvm-lab:16443' };
    expect(labSummary(record({ endpointAccess: direct }), problem).endpointAccess).toEqual(direct);
  });
});
