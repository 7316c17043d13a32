import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabHosts } from '../../../src/main/hosts/lab-hosts';
import { MemorySecretStore } from '../../../src/main/secrets/memory-secret-store';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHosts } from '../../harness/ssh/test-host';
import type { TestHost } from '../../harness/ssh/test-host';
import { tempDir } from '../../harness/temp-dir';

describe('LabHosts: a Windows host behind a jump host, key file sign-in', () => {
  let jump: TestHost;
  let windows: TestHost;
  let dataDir: string;
  let service: LabHosts;

  beforeAll(async () => {
    [jump, windows] = (await startTestHosts([{ simulation: simulations.nestedOn }, { simulation: simulations.windowsHyperV }])) as [
      TestHost,
      TestHost,
    ];
    dataDir = await tempDir('hosts-jump');
    service = await LabHosts.create({ dataDir, secrets: new MemorySecretStore(), reconnect: false });
  });
  afterAll(async () => {
    service?.dispose();
    await Promise.all([jump?.stop(), windows?.stop()]);
  });

  it('trusts each hop separately and probes Hyper-V through the jump host', async () => {
    const bastion = await service.add({
      name: 'bastion',
      address: '127.0.0.1',
      port: jump.port,
      user: jump.user,
      auth: { kind: 'keyFile', path: jump.clientKey.path },
    });
    const hyperV = await service.add({
      name: 'hyper-v',
      address: '127.0.0.1',
      port: windows.port,
      user: windows.user,
      os: 'windows',
      auth: { kind: 'keyFile', path: windows.encryptedClientKey.path, passphrase: windows.encryptedClientKey.passphrase },
      jumpHostId: bastion.id,
    });
    expect(hyperV).toMatchObject({
      jumpHostId: bastion.id,
      hasPassphrase: true,
      auth: { kind: 'keyFile', keyPath: windows.encryptedClientKey.path },
    });

    // The jump host is a first contact too: nothing reaches the target until it is trusted.
    expect(await service.testConnection(hyperV.id)).toMatchObject({
      ok: false,
      error: { code: 'HOST_KEY_UNKNOWN', details: await jump.hostKey() },
    });
    await service.acceptHostKey(bastion.id, (await jump.hostKey()).fingerprint);
    expect(await service.scanHostKey(hyperV.id)).toEqual(await windows.hostKey());
    expect(await service.testConnection(hyperV.id)).toMatchObject({
      ok: false,
      error: { code: 'HOST_KEY_UNKNOWN', details: await windows.hostKey() },
    });
    await service.acceptHostKey(hyperV.id, (await windows.hostKey()).fingerprint);

    const report = await service.probe(hyperV.id);
    expect(report.os).toBe('windows');
    expect(report.checks.find((check) => check.id === 'nested-virtualization')?.fix).toContain('ExposeVirtualizationExtensions');
    // The target saw the probe; the jump host only forwarded TCP (no session command there).
    expect(await windows.sessionCommandLines()).toContain('-EncodedCommand');
    expect((await jump.sessionCommandLines()).trim()).toBe('');
  });
  it('refuses jump-host loops, unknown jump hosts and duplicate names, changing nothing', async () => {
    const [bastion, hyperV] = await service.list();
    if (bastion === undefined || hyperV === undefined) throw new Error('the hosts of the first test are missing');
    const loop = await service.update(bastion.id, { jumpHostId: hyperV.id }).catch((e: unknown) => e);
    expect(loop).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'jumpHostId' } });
    const self = await service.update(bastion.id, { jumpHostId: bastion.id }).catch((e: unknown) => e);
    expect(self).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'jumpHostId' } });
    const unknown = await service.update(hyperV.id, { jumpHostId: 'no-such-host', auth: { kind: 'agent' } }).catch((e: unknown) => e);
    expect(unknown).toMatchObject({ code: 'NOT_FOUND', details: { field: 'jumpHostId' } });
    const duplicate = await service.update(hyperV.id, { name: bastion.name }).catch((e: unknown) => e);
    expect(duplicate).toMatchObject({ code: 'ALREADY_EXISTS', details: { field: 'name' } });
    // The refused updates changed nothing, secrets included.
    expect(await service.list()).toEqual([bastion, hyperV]);
  });
});
