/**
 * The hosts slice through the real RPC client and dispatcher (in-memory transport, every message
 * through JSON), with a scripted hosts service standing in for the main process.
 */
import { describe, expect, it, vi } from 'vitest';
import type {
  ConnectionStateChange,
  HostConnectionTestResult,
  HostsService,
  HostSummary,
  PreflightReport,
  ProbeProgress,
} from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { Emitter } from '../../../shared/event';
import { storeOver } from '../../store/store.test-support';

const fingerprint = `SHA256:${'A'.repeat(43)}`;

function summary(id: string, patch: Partial<HostSummary> = {}): HostSummary {
  return {
    id,
    name: id,
    address: '127.0.0.1',
    port: 22,
    user: 'u',
    os: 'linux',
    auth: { kind: 'password' },
    hasPassword: true,
    hasPassphrase: false,
    hasPrivateKey: false,
    hasSudoPassword: false,
    storagePath: '/var/lib/libvirt/images',
    createdAt: '',
    updatedAt: '',
    ...patch,
  };
}

const report: PreflightReport = {
  os: 'linux',
  status: 'fail',
  checks: [{ id: 'dev-kvm', title: '/dev/kvm', status: 'fail', detail: 'missing', fix: 'modprobe kvm_intel' }],
  capacity: {
    hypervisor: 'kvm',
    cpus: 4,
    memoryMiB: 8192,
    memoryAvailableMiB: 8000,
    diskFreeGiB: 50,
    storagePath: '/x',
    nestedVirtualization: false,
  },
  probedAt: '2026-01-01T00:00:00Z',
};

function setup() {
  const hosts = new Map<string, HostSummary>();
  let accepted = false;
  let storeCorrupt = false;
  const progress = new Emitter<ProbeProgress>();
  let releaseProbe: (() => void) | undefined;
  const service: HostsService = {
    list: () => Promise.resolve([...hosts.values()]),
    get: (id) => Promise.resolve(hosts.get(id)!),
    add: (input) => {
      if (input.name === 'taken')
        return Promise.reject(new AppError('ALREADY_EXISTS', 'A host named "taken" already exists.', { field: 'name' }));
      const host = summary('h1', { name: input.name });
      hosts.set(host.id, host);
      return Promise.resolve(host);
    },
    update: (id, patch) => {
      const host = { ...hosts.get(id)!, ...(patch.name ? { name: patch.name } : {}) };
      hosts.set(id, host);
      return Promise.resolve(host);
    },
    remove: (id) => {
      hosts.delete(id);
      return Promise.resolve();
    },
    testConnection: (): Promise<HostConnectionTestResult> =>
      Promise.resolve(
        storeCorrupt
          ? { ok: false, error: { code: 'HOST_KEY_STORE_CORRUPT', message: 'The store of accepted host keys was corrupt' } }
          : accepted
            ? { ok: true, durationMs: 3, hostKey: { keyType: 'ssh-ed25519', fingerprint } }
            : {
                ok: false,
                error: { code: 'HOST_KEY_UNKNOWN', message: 'First contact', details: { keyType: 'ssh-ed25519', fingerprint } },
              },
      ),
    scanHostKey: () => Promise.resolve({ keyType: 'ssh-ed25519', fingerprint }),
    acceptHostKey: vi.fn((id: string, value: string) => {
      accepted = value === fingerprint;
      const host = { ...hosts.get(id)!, hostKey: { keyType: 'ssh-ed25519', fingerprint, acceptedAt: '' } };
      hosts.set(id, host);
      return Promise.resolve(host);
    }),
    forgetHostKey: (id) => {
      accepted = false;
      const { hostKey: _forgotten, ...rest } = hosts.get(id)!;
      hosts.set(id, rest);
      return Promise.resolve(rest);
    },
    resetHostKeyStore: vi.fn(() => {
      storeCorrupt = false;
      accepted = false;
      return Promise.resolve();
    }),
    probe: (hostId) =>
      new Promise((resolve, reject) => {
        progress.fire({ hostId, phase: 'probing' });
        releaseProbe = () => resolve(report);
        const abort = () => reject(new AppError('CANCELLED', 'The preflight was cancelled.'));
        cancel = abort;
      }),
    cancelProbe: () => {
      cancel?.();
      return Promise.resolve();
    },
    secretStorage: () => Promise.resolve({ backend: 'memory', persistent: false, canStore: true, warning: 'kept until the server stops' }),
    onDidChangeHosts: new Emitter<HostSummary[]>().event,
    onDidChangeConnection: new Emitter<ConnectionStateChange>().event,
    onDidProbeProgress: progress.event,
  };
  let cancel: (() => void) | undefined;
  const { store } = storeOver(() => ({ hosts: service }));
  return { store, service, finishProbe: () => releaseProbe?.(), corruptStore: () => (storeCorrupt = true) };
}

describe('hosts slice', () => {
  it('loads the inventory and the secret-storage status', async () => {
    const { store } = setup();
    await store.getState().loadHosts();
    expect(store.getState().hosts).toEqual([]);
    expect(store.getState().secretStorage).toMatchObject({ backend: 'memory', warning: 'kept until the server stops' });
  });

  it('adds a host, tests it at once, and asks to accept the key on first contact', async () => {
    const { store, service } = setup();
    const result = await store.getState().saveHost({ input: { name: 'lab', address: '127.0.0.1', user: 'u', auth: { kind: 'agent' } } });
    expect(result.ok).toBe(true);
    expect(store.getState().hosts?.map((h) => h.name)).toEqual(['lab']);
    await vi.waitFor(() => expect(store.getState().hostKeyPrompt).toEqual({ hostId: 'h1', key: { keyType: 'ssh-ed25519', fingerprint } }));
    expect(service.acceptHostKey).not.toHaveBeenCalled();

    await store.getState().acceptHostKey();
    expect(service.acceptHostKey).toHaveBeenCalledWith('h1', fingerprint);
    expect(store.getState().hostKeyPrompt).toBeUndefined();
    expect(store.getState().hostChecks.h1).toMatchObject({ status: 'done', result: { ok: true } });
    expect(store.getState().hosts?.[0]?.hostKey?.fingerprint).toBe(fingerprint);
  });

  it('returns a refused save as a value for the form, keeping nothing half-done', async () => {
    const { store } = setup();
    const result = await store.getState().saveHost({ input: { name: 'taken', address: 'a', user: 'u', auth: { kind: 'agent' } } });
    expect(result).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS', details: { field: 'name' } } });
    expect(store.getState().hosts).toBeUndefined();
  });

  it('forgetting a key tests again, which shows the new key to accept', async () => {
    const { store } = setup();
    await store.getState().saveHost({ input: { name: 'lab', address: 'a', user: 'u', auth: { kind: 'agent' } } });
    await vi.waitFor(() => expect(store.getState().hostKeyPrompt).toBeDefined());
    await store.getState().acceptHostKey();
    await store.getState().forgetHostKey('h1');
    expect(store.getState().hosts?.[0]?.hostKey).toBeUndefined();
    expect(store.getState().hostKeyPrompt?.key.fingerprint).toBe(fingerprint);
  });

  it('resetting a corrupt host-key store clears the failed checks; the next test is a first contact', async () => {
    const { store, service, corruptStore } = setup();
    await store.getState().saveHost({ input: { name: 'lab', address: 'a', user: 'u', auth: { kind: 'agent' } } });
    await vi.waitFor(() => expect(store.getState().hostKeyPrompt).toBeDefined());
    await store.getState().acceptHostKey();
    corruptStore();
    await store.getState().testHost('h1');
    expect(store.getState().hostChecks.h1).toMatchObject({
      status: 'done',
      result: { ok: false, error: { code: 'HOST_KEY_STORE_CORRUPT' } },
    });
    await store.getState().resetHostKeyStore();
    expect(service.resetHostKeyStore).toHaveBeenCalledOnce();
    expect(store.getState().hostChecks).toEqual({});
    store.getState().dismissHostKeyPrompt();
    await store.getState().testHost('h1');
    expect(store.getState().hostKeyPrompt?.key.fingerprint).toBe(fingerprint);
  });

  it('shows a probe running, then its report; a cancelled probe says so', async () => {
    const { store, finishProbe } = setup();
    await store.getState().saveHost({ input: { name: 'lab', address: 'a', user: 'u', auth: { kind: 'agent' } } });
    const probing = store.getState().probeHost('h1');
    await vi.waitFor(() => expect(store.getState().probes.h1).toEqual({ status: 'running', phase: 'probing' }));
    finishProbe();
    await probing;
    expect(store.getState().probes.h1).toEqual({ status: 'done', report });

    const again = store.getState().probeHost('h1');
    await vi.waitFor(() => expect(store.getState().probes.h1).toMatchObject({ status: 'running' }));
    await store.getState().cancelProbe('h1');
    await again;
    expect(store.getState().probes.h1).toMatchObject({ status: 'failed', error: { code: 'CANCELLED' } });
  });

  it('removes a host and everything the view knew about it', async () => {
    const { store } = setup();
    await store.getState().saveHost({ input: { name: 'lab', address: 'a', user: 'u', auth: { kind: 'agent' } } });
    await vi.waitFor(() => expect(store.getState().hostChecks.h1).toMatchObject({ status: 'done' }));
    await store.getState().removeHost('h1');
    expect(store.getState().hosts).toEqual([]);
    expect(store.getState().hostChecks).toEqual({});
  });
});
