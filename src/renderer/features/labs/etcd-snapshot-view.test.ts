import { describe, expect, it } from 'vitest';
import { defaultLabPlan } from '../../../shared/contract';
import type { LabSummary } from '../../../shared/contract';
import { formatSnapshotSize, snapshotBlockedReason } from './etcd-snapshot-view';

const lab = (status: LabSummary['status']): LabSummary => ({
  name: 'lab1',
  hostId: 'h',
  status,
  plan: defaultLabPlan('h'),
  machines: [],
  createdAt: '2026-12-02T10:00:00Z',
  updatedAt: '2026-12-02T10:00:00Z',
});

describe('etcd snapshot view', () => {
  it('sizes like etcdctl prints them', () => {
    expect(formatSnapshotSize(512)).toBe('512 B');
    expect(formatSnapshotSize(20_512)).toBe('21 kB');
    expect(formatSnapshotSize(4_200_000)).toBe('4.2 MB');
    expect(formatSnapshotSize(1_300_000_000)).toBe('1.3 GB');
  });

  it('says why a snapshot cannot be taken now', () => {
    expect(snapshotBlockedReason(lab('ready'))).toBeUndefined();
    expect(snapshotBlockedReason(lab('running'))).toMatch(/An operation is running/);
    expect(snapshotBlockedReason(lab('failed'))).toMatch(/Resume the lab first/);
  });
});
