import { describe, expect, it } from 'vitest';
import { defaultLabPlan, type LabSummary } from '../../../shared/contract';
import { upgradeBlockedReason, upgradeTargets } from './upgrade-view';

function lab(version: string, patch: Partial<LabSummary> = {}): LabSummary {
  const plan = { ...defaultLabPlan('h1', 'lab1'), kubernetesVersion: version };
  return { name: 'lab1', hostId: 'h1', status: 'ready', plan, machines: [], createdAt: '', updatedAt: '', ...patch };
}

describe('the upgrade section', () => {
  it('offers the next minor version only', () => {
    expect(upgradeTargets(lab('1.30.8'))).toEqual(['1.31.4']);
    expect(upgradeTargets(lab('1.28.15'))).toEqual(['1.29.12']);
    expect(upgradeTargets(lab('1.31.4'))).toEqual([]);
  });

  it('says why it offers nothing', () => {
    expect(upgradeBlockedReason(lab('1.30.8'))).toBeUndefined();
    expect(upgradeBlockedReason(lab('1.31.4'))).toBe('No version of the next minor release is offered after 1.31.4.');
    expect(upgradeBlockedReason(lab('1.30.8', { status: 'failed' }))).toMatch(/^Resume the lab first/);
    expect(upgradeBlockedReason(lab('1.30.8', { plan: { ...lab('1.30.8').plan, distribution: 'k3s' } }))).toBe(
      'Nestlab upgrades kubeadm labs.',
    );
  });
});
