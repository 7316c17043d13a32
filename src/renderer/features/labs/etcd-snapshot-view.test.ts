import { describe, expect, it } from 'vitest';
import { defaultLabPlan } from '../../../shared/contract';
import type { EtcdSnapshot, LabSummary } from '../../../shared/contract';
import { formatSnapshotSize, restoreStepTexts, snapshotBlockedReason } from './etcd-snapshot-view';

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

  it('says what a restore does: static pods on kubeadm, k3s stopped, reset on the first server and rejoins on k3s', () => {
    const snapshot: EtcdSnapshot = {
      name: 'etcd-20261202-104503',
      takenAt: '2026-12-02T10:45:03Z',
      machine: 'lab1-cp1',
      tool: 'k3s',
      sizeBytes: 10,
      sha256: 'a'.repeat(64),
      savedObjects: 42,
    };
    expect(restoreStepTexts(lab('ready'), { ...snapshot, tool: 'etcdctl' }).at(-1)).toBe(
      'Check that the 42 objects the snapshot saved are back.',
    );
    const k3s: LabSummary = {
      ...lab('ready'),
      plan: { ...defaultLabPlan('h'), distribution: 'k3s', controlPlaneCount: 3 },
      machines: ['cp1', 'cp2', 'cp3', 'linux1'].map((name) => ({
        name: `lab1-${name}`,
        role: name.startsWith('cp') ? ('control-plane' as const) : ('linux-worker' as const),
        os: 'linux' as const,
        state: 'joined' as const,
        size: defaultLabPlan('h').sizes.controlPlane,
      })),
    };
    expect(restoreStepTexts(k3s, snapshot)).toEqual([
      'Stop k3s on every server.',
      'Restore the snapshot on lab1-cp1 with k3s server --cluster-reset: it becomes the only etcd member (its old data is kept beside).',
      'Start k3s on lab1-cp1 and wait until its API server answers.',
      'On lab1-cp2 and lab1-cp3, one at a time: set the old k3s database aside (kept beside it) and start k3s, so it joins again.',
      'Wait until every server is Ready, and check that the 42 objects the snapshot saved are back.',
    ]);
    const { savedObjects, ...withoutList } = snapshot;
    expect(savedObjects).toBe(42);
    expect(restoreStepTexts(k3s, withoutList).at(-1)).toBe(
      'Wait until every server is Ready (this snapshot has no list of its objects to compare).',
    );
  });
});
