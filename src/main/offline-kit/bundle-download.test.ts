/**
 * npm run bundle's download mode against a loopback HTTP server laid out as the upstream hosts
 * (dl.k8s.io, github.com releases, raw.githubusercontent.com): never the internet. The files are
 * small stand-ins with real checksum files beside them, as their publishers give them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { CNI_MANIFESTS } from '../labs/cni-manifests';
import { WINDOWS_NODE_SCRIPTS } from '../labs/pinned-scripts';
import { buildBundle } from './bundle-builder';
import { DOWNLOAD_VERSIONS, downloadItems, downloadSources } from './bundle-download';
import { verifyBundle } from './bundle-manifest';
import { tempDir } from '../../../tests/harness/temp-dir';

const run = promisify(execFile);
let work: string;
let served: string;
let server: Server;
let base: string;
const asked: string[] = [];

const sha = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

/** Puts `content` at the upstream URL's place in the served tree. */
async function serve(url: string, content: string | Buffer): Promise<void> {
  const parsed = new URL(url);
  const path = join(served, parsed.host, decodeURIComponent(parsed.pathname));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

/** A .tar.gz holding `files` (name -> content), as the release archives are. */
async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const dir = await mkdtemp(join(work, 'archive-'));
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), content);
    await chmod(join(dir, name), 0o755);
  }
  const out = join(work, `${sha(JSON.stringify(files))}.tar.gz`);
  await run('tar', ['-czf', out, '-C', dir, ...Object.keys(files)]);
  return readFile(out);
}

beforeAll(async () => {
  work = await tempDir('bundle-download');
  served = join(work, 'served');
  for (const item of downloadItems({ kubernetesVersion: '1.20.2', windows: true, metallb: true, cni: 'flannel' })) {
    const name = item.to.split('/').pop() ?? '';
    let content: string | Buffer = `#!/bin/sh\necho ${name}\n`;
    if (name.startsWith('crictl-')) content = await tarGz({ crictl: '#!/bin/sh\necho crictl\n' });
    if (name.startsWith('cni-plugins-')) content = await tarGz({ bridge: 'bridge', 'host-local': 'host-local', loopback: 'loopback' });
    await serve(item.url, content);
    if (item.checksumUrl !== undefined) {
      // dl.k8s.io's .sha256 holds the hash alone; containerd's .sha256sum has "<hash>  <file>" lines.
      await serve(item.checksumUrl, item.checksumName === undefined ? `${sha(content)}\n` : `${sha(content)}  ${item.checksumName}\n`);
    }
  }
  server = createServer((request, response) => {
    asked.push(request.url ?? '');
    const path = join(served, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    readFile(path).then(
      (body) => response.end(body),
      () => {
        response.statusCode = 404;
        response.end('404: Not Found');
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

describe('npm run bundle -- --download (a loopback server laid out as the upstream hosts)', () => {
  it('fetches every input with its published checksum, builds the bundle from them, and fetches nothing twice', async () => {
    const cacheDir = join(work, 'cache');
    const lines: string[] = [];
    const sources = await downloadSources(
      { kubernetesVersion: '1.20.2', windows: true, metallb: true, cni: 'flannel' },
      { cacheDir, base, log: (line) => lines.push(line) },
    );
    expect(asked).toContain('/dl.k8s.io/release/v1.20.2/bin/linux/amd64/kubelet.sha256');
    expect(asked).toContain('/dl.k8s.io/release/v1.20.2/bin/windows/amd64/kubeadm.exe');
    expect(lines).toContain(`node-bin/kubelet: SHA-256 ${sha('#!/bin/sh\necho kubelet\n')}, as published`);
    // The pinned scripts have no published checksum: their SHA-256 is printed to compare.
    expect(lines).toContain(
      `windows/Install-Containerd.ps1: SHA-256 ${sha('#!/bin/sh\necho Install-Containerd.ps1\n')} (no published checksum: compare it with one you trust)`,
    );
    const bundle = join(work, 'bundle');
    const manifest = await buildBundle(sources, bundle);
    expect(Object.keys(manifest.files).sort()).toEqual([
      'bin/crictl',
      'cni/bin/bridge',
      'cni/bin/host-local',
      'cni/bin/loopback',
      'debs/kubeadm_1.20.2-00_amd64.deb',
      'debs/kubectl_1.20.2-00_amd64.deb',
      'debs/kubelet_1.20.2-00_amd64.deb',
      'manifests/kube-flannel.yml',
      'manifests/metallb-native.yaml',
      'windows/Install-Containerd.ps1',
      'windows/PrepareNode.ps1',
      `windows/containerd-${DOWNLOAD_VERSIONS.containerdWindows}-windows-amd64.tar.gz`,
      `windows/crictl-v${DOWNLOAD_VERSIONS.crictlWindows}-windows-amd64.tar.gz`,
      'windows/kubeadm.exe',
      'windows/kubelet.exe',
      'windows/nssm-2.24.zip',
    ]);
    expect((await verifyBundle(bundle)).files).toHaveLength(16);

    // A second run finds everything in the cache: only the checksum files are asked again.
    asked.length = 0;
    await downloadSources({ kubernetesVersion: '1.20.2', windows: true, metallb: true, cni: 'flannel' }, { cacheDir, base });
    // Files without a published checksum cannot be known to be the same without fetching them.
    const unpublished = [
      WINDOWS_NODE_SCRIPTS.installContainerd.url,
      WINDOWS_NODE_SCRIPTS.prepareNode.url,
      'https://k8stestinfrabinaries.blob.core.windows.net/nssm-mirror/nssm-2.24.zip',
      'https://raw.githubusercontent.com/metallb/metallb/v0.14.9/config/manifests/metallb-native.yaml',
      CNI_MANIFESTS.flannel.url,
    ].map((url) => `/${new URL(url).host}${new URL(url).pathname}`);
    expect(asked.filter((path) => !/\.sha256(sum)?$/.test(path)).sort()).toEqual(unpublished.sort());
  });

  it('refuses a file whose checksum differs, keeping nothing of it, and names a missing file', async () => {
    const cacheDir = join(work, 'cache-tampered');
    await serve('https://dl.k8s.io/release/v1.20.2/bin/linux/amd64/kubeadm', '#!/bin/sh\necho changed on the way\n');
    const error = await downloadSources({ kubernetesVersion: '1.20.2' }, { cacheDir, base }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'INVALID_INPUT',
      message: `https://dl.k8s.io/release/v1.20.2/bin/linux/amd64/kubeadm has SHA-256 ${sha('#!/bin/sh\necho changed on the way\n')} where its publisher's checksum says ${sha('#!/bin/sh\necho kubeadm\n')}: it was not kept. Download again; if it persists, the file or its mirror was changed.`,
    });
    expect((await readdir(join(cacheDir, 'node-bin'))).sort()).toEqual(['kubelet']);

    await expect(downloadSources({ kubernetesVersion: '1.19.16' }, { cacheDir, base })).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: `${base}/dl.k8s.io/release/v1.19.16/bin/linux/amd64/kubelet.sha256 answered HTTP 404.`,
    });
  });
});
