import { describe, expect, it } from 'vitest';
import type { ClusterContext } from '../../../shared/contract';
import { contextStatus, describeNodes, diagnosisParts, labTunnelNote } from './context-status';

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

describe('a context that a lab serves through an SSH tunnel', () => {
  const tunnel = {
    mode: 'tunnel' as const,
    server: 'https://127.0.0.1:41234',
    localPort: 41234,
    tlsServerName: 'lab1-api.lab.internal',
    target: '192.168.150.10:6443',
    reason: 'no TLS answer within 5 s',
  };
  const lab = { name: 'lab1', hostId: 'h1', context: 'lab1', endpointAccess: tunnel };
  const hosts = [{ id: 'h1', name: 'bigbox' }];

  it('names the tunnel and the host, and says the kubeconfig works only while Nestlab runs', () => {
    const note = labTunnelNote('lab1', [lab], hosts);
    expect(note?.label).toBe('via SSH tunnel (bigbox)');
    expect(note?.detail).toContain('https://127.0.0.1:41234');
    expect(note?.detail).toContain('192.168.150.10:6443');
    expect(note?.detail).toContain('only while Nestlab runs');
  });

  it('says why the tunnel does not serve now', () => {
    expect(labTunnelNote('lab1', [{ ...lab, endpointAccess: { ...tunnel, problem: 'port 41234 is taken' } }], hosts)?.detail).toContain(
      'Not serving now: port 41234 is taken',
    );
  });

  it('says nothing for a lab reached directly, another context, or before the labs are loaded', () => {
    expect(labTunnelNote('lab1', [{ ...lab, endpointAccess: { mode: 'direct', server: 'https://10.0.0.5:6443' } }], hosts)).toBeUndefined();
    expect(labTunnelNote('other', [lab], hosts)).toBeUndefined();
    expect(labTunnelNote('lab1', undefined, hosts)).toBeUndefined();
    expect(labTunnelNote('lab1', [lab], undefined)?.label).toBe('via SSH tunnel (the lab host)');
  });
});
