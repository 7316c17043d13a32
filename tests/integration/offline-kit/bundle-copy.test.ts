/**
 * npm run bundle's builder on local folders (the harness's Kubernetes 1.20.2 node binaries, two of
 * its locally built image archives, Debian's CNI plugins and the crictl stand-in), its manifest
 * checked before a copy (a changed, added or missing file is refused, named), and the copy to a
 * real sshd over SFTP, dropped half way by a TCP relay and resumed: the host's sha256sum -c passes.
 */
import { execFile } from 'node:child_process';
import { appendFile, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import { SshConnection } from '../../../src/main/hosts/ssh-connection';
import { runArgv } from '../../../src/main/hosts/remote-command';
import { buildBundle } from '../../../src/main/offline-kit/bundle-builder';
import { copyBundle } from '../../../src/main/offline-kit/bundle-copy';
import { verifyBundle, type BundleManifest } from '../../../src/main/offline-kit/bundle-manifest';
import { CRICTL_STAND_IN, bridgeConflist, nodeBinDir, nodeImagesDir } from '../../harness/real-vms/node-bundle';
import { simulations } from '../../harness/ssh/profiles';
import { startDropProxy, type DropProxy } from '../../harness/ssh/tcp-fixtures';
import { startTestHost, type TestHost } from '../../harness/ssh/test-host';
import { tempDir } from '../../harness/temp-dir';

const run = promisify(execFile);

let work: string;
let bundle: string;
let manifest: BundleManifest;
let host: TestHost;
let proxy: DropProxy;

beforeAll(async () => {
  work = await tempDir('bundle-test');
  // Two of the locally built archives keep the copy short; the builder takes every *.tar of the folder.
  const images = join(work, 'images-in');
  await mkdir(images);
  for (const archive of ['pause.tar', 'kube-proxy.tar']) await link(join(nodeImagesDir(), archive), join(images, archive));
  bundle = join(work, 'bundle');
  manifest = await buildBundle(
    {
      kubernetesVersion: '1.20.2',
      nodeBinDir: nodeBinDir(),
      imagesDir: images,
      cniBinDir: join(nodeImagesDir(), 'cni-bin'),
      cniConfigs: { '10-nestlab-bridge.conflist': bridgeConflist('10.244.0.0/16') },
      tools: { crictl: CRICTL_STAND_IN },
    },
    bundle,
  );
  host = await startTestHost({ simulation: simulations.nestedOn });
  proxy = await startDropProxy(host.port);
}, 300_000);
afterAll(async () => {
  await proxy?.close();
  await host?.stop();
});

function connect(): SshConnection {
  return new SshConnection({
    hostId: 'bundle-host',
    endpoint: { host: '127.0.0.1', port: proxy.port, username: host.user },
    credentials: () => Promise.resolve({ kind: 'privateKey', privateKey: host.clientKey.privateKey }),
    expectedHostKey: async () => ({ ...(await host.hostKey()), acceptedAt: new Date().toISOString() }),
    reconnect: false,
  });
}

describe('offline bundle: build, verify, copy over SFTP', () => {
  it('builds the documented layout from local folders with the SHA-256 of every file', async () => {
    const names = Object.keys(manifest.files);
    expect(names).toEqual(
      expect.arrayContaining([
        'debs/kubelet_1.20.2-00_amd64.deb',
        'debs/kubeadm_1.20.2-00_amd64.deb',
        'debs/kubectl_1.20.2-00_amd64.deb',
        'images/pause.tar',
        'images/kube-proxy.tar',
        'cni/bin/bridge',
        'cni/net.d/10-nestlab-bridge.conflist',
        'bin/crictl',
      ]),
    );
    expect(manifest.kubernetesVersion).toBe('1.20.2');
    // coreutils agrees with the manifest, and dpkg reads the packages.
    await run('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: bundle });
    const { stdout } = await run('dpkg-deb', ['--field', join(bundle, 'debs', 'kubelet_1.20.2-00_amd64.deb'), 'Package', 'Version']);
    expect(stdout).toBe('Package: kubelet\nVersion: 1.20.2-00\n');
    expect((await verifyBundle(bundle)).files).toHaveLength(names.length);
  });

  it('refuses a changed, an added or a missing file before copying, naming it', async () => {
    const config = join(bundle, 'cni', 'net.d', '10-nestlab-bridge.conflist');
    const original = await readFile(config, 'utf8');
    const connection = connect();
    try {
      // Same size, other content: only the checksum can tell.
      await writeFile(config, original.replace('10.244.0.0/16', '10.245.0.0/16'));
      const changed = await copyBundle(bundle, await connection.sftp(), 'refused-copy').catch((error: unknown) => error);
      expect(changed).toBeInstanceOf(AppError);
      expect((changed as AppError).code).toBe('INVALID_INPUT');
      expect((changed as AppError).message).toMatch(
        /^The offline bundle file cni\/net\.d\/10-nestlab-bridge\.conflist has SHA-256 [0-9a-f]{64} where the manifest says [0-9a-f]{64}: the bundle was changed or damaged/,
      );
      await writeFile(config, original);
      await appendFile(join(bundle, 'bin', 'extra'), '#!/bin/sh\n');
      await expect(verifyBundle(bundle)).rejects.toThrow(/^The offline bundle file bin\/extra is not in the manifest/);
      await rm(join(bundle, 'bin', 'extra'));
      await rm(config);
      await expect(verifyBundle(bundle)).rejects.toThrow(/^The offline bundle file cni\/net\.d\/10-nestlab-bridge\.conflist is missing/);
      // Nothing reached the host.
      const listed = await runArgv(connection, ['ls', '-A']);
      expect(listed.stdout).not.toContain('refused-copy');
    } finally {
      await writeFile(config, original);
      connection.close();
    }
  });

  it('resumes a copy dropped half way, and the host checks every file', { timeout: 240_000 }, async () => {
    const total = Object.values(manifest.files).reduce((sum, file) => sum + file.size, 0);
    const first = connect();
    let dropped = false;
    const fractions: number[] = [];
    const cut = await copyBundle(bundle, await first.sftp(), 'nestlab-bundle', (progress) => {
      if (progress.phase !== 'copy') return;
      fractions.push(progress.fraction);
      if (!dropped && progress.fraction >= 0.5) {
        dropped = true;
        proxy.dropAll();
      }
    }).catch((error: unknown) => error);
    first.close();
    expect(dropped).toBe(true);
    expect(cut).toBeInstanceOf(AppError);
    expect((cut as AppError).code).toBe('SSH_DISCONNECTED');
    expect((cut as AppError).message).toMatch(/what arrived is kept and the copy resumes/);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));

    const second = connect();
    try {
      const resumed = await copyBundle(bundle, await second.sftp(), 'nestlab-bundle');
      // At least the half before the drop was kept, not sent again.
      expect(resumed.keptBytes).toBeGreaterThanOrEqual(total * 0.4);
      expect(resumed.sentBytes).toBeLessThan(total * 0.65);
      const check = await runArgv(second, [
        'sh',
        '-c',
        'cd nestlab-bundle && sha256sum -c --quiet SHA256SUMS && find . -name "*.nestlab-part" | wc -l',
      ]);
      expect(check).toMatchObject({ exitCode: 0, stdout: '0\n' });
      // A third copy finds everything there and sends nothing.
      expect(await copyBundle(bundle, await second.sftp(), 'nestlab-bundle')).toMatchObject({ sentBytes: 0 });
    } finally {
      second.close();
    }
  });
});
