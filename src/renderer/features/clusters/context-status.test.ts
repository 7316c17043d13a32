import { describe, expect, it } from 'vitest';
import type { ClusterContext } from '../../../shared/contract';
import { contextStatus, describeNodes, diagnosisParts } from './context-status';

const base: ClusterContext = {
  name: 'lab',
  clusterName: 'lab',
  userName: 'me',
  server: 'https://127.0.0.1:6443',
  source: 'config',
  importedAt: '2026-01-01T00:00:00Z',
  hasCertificateAuthority: true,
  insecureSkipTlsVerify: false,
  auth: { kind: 'token', hasToken: true, hasClientKey: false, hasPassword: false },
  externalFiles: [],
  externalFilesAllowed: true,
  health: { checking: false },
};

describe('context status', () => {
  it('says in words what state a context is in', () => {
    expect(contextStatus(base)).toEqual({ label: 'Not checked', tone: 'neutral' });
    expect(contextStatus({ ...base, health: { checking: true } })).toEqual({ label: 'Checking…', tone: 'busy' });
    const failed = { ok: false as const, checkedAt: '', durationMs: 1, error: { code: 'TLS_NAME_MISMATCH' as const, message: 'm' } };
    expect(contextStatus({ ...base, health: { checking: false, result: failed } })).toEqual({
      label: 'Certificate name mismatch',
      tone: 'bad',
    });
    const approval = { ...failed, error: { code: 'APPROVAL_REQUIRED' as const, message: 'm' } };
    expect(contextStatus({ ...base, health: { checking: false, result: approval } })).toEqual({ label: 'Needs approval', tone: 'warn' });
  });

  it('describes node counts and splits a diagnosis into cause and fix from details', () => {
    expect(describeNodes({ total: 4, ready: 3, linux: 3, windows: 1, other: 0 })).toBe('4 nodes (3 Linux, 1 Windows), 3 ready');
    expect(diagnosisParts({ code: 'UNREACHABLE', message: 'all', details: { cause: 'c', fix: 'f' } })).toEqual({ cause: 'c', fix: 'f' });
    expect(diagnosisParts({ code: 'INTERNAL', message: 'all' })).toEqual({ cause: 'all' });
  });
});
