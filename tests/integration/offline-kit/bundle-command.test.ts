/**
 * `npm run bundle -- --download --pull-images` as a user runs it on a connected machine (issue
 * 22), against a loopback server laid out as the upstream hosts: never the internet. The release
 * files are the REAL kubelet, kubeadm and kubectl 1.20.2 built by the test provisioning (with
 * their checksum files as dl.k8s.io publishes them); crictl, the CNI plugins and the flannel and
 * MetalLB manifests are small STAND-INS shaped like upstream's; the registries are a STAND-IN of
 * the distribution API serving a one-layer image for any name. The real kubeadm lists the control
 * plane's images, so the bundle carries those, the manifests' workload images and the catalog's.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/main/apps/catalog';
import { downloadItems } from '../../../src/main/offline-kit/bundle-download';
import { verifyBundle } from '../../../src/main/offline-kit/bundle-manifest';
import { missingImages } from '../../../src/main/offline-kit/image-archives';
import { nodeBinDir } from '../../harness/real-vms/node-bundle';
import { flannelAffinity, metallbManifest } from '../../doubles/workload-manifests';
import { tempDir } from '../../harness/temp-dir';

const run = promisify(execFile);
const REPO = resolve(__dirname, '../../..');
const sha = (body: Buffer | string) => createHash('sha256').update(body).digest('hex');
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

let work: string;
let served: string;
let server: Server;
let base: string;
/** Image references the registry stand-in served a tag for. */
const pulled: string[] = [];
const blobs = new Map<string, Buffer>();

async function serve(url: string, body: Buffer | string): Promise<void> {
  const parsed = new URL(url);
  const path = join(served, parsed.host, decodeURIComponent(parsed.pathname));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, body);
}

async function tarGz(files: Record<string, string>): Promise<Buffer> {
  const dir = await tempDir('bundle-command-archive');
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content, { mode: 0o755 });
  await run('tar', ['-czf', join(dir, 'out.tar.gz'), '-C', dir, ...Object.keys(files)]);
  return readFile(join(dir, 'out.tar.gz'));
}

/** A one-layer linux/amd64 image for `reference`, behind an index as registries serve them; the index body. */
function imageIndex(reference: string): Buffer {
  const add = (body: Buffer) => {
    const digest = `sha256:${sha(body)}`;
    blobs.set(digest, body);
    return { digest, size: body.length };
  };
  const config = add(json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = add(Buffer.from(`the layer of ${reference} (stand-in bytes)`));
  const manifest = add(
    json({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    }),
  );
  return json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os: 'linux', architecture: 'amd64' } }],
  });
}

beforeAll(async () => {
  if (!existsSync(join(nodeBinDir(), 'kubeadm'))) {
    throw new Error(
      `kubeadm 1.20.2 is not in ${nodeBinDir()}: npm test builds it (bash scripts/test-cluster/provision.sh --node, as root).`,
    );
  }
  work = await tempDir('bundle-command');
  served = join(work, 'served');
  for (const item of downloadItems({ kubernetesVersion: '1.20.2', metallb: true, cni: 'flannel' })) {
    const name = item.to.split('/').pop() ?? '';
    let body: Buffer | string;
    if (item.to.startsWith('node-bin/')) body = await readFile(join(nodeBinDir(), name));
    else if (name.startsWith('crictl-')) body = await tarGz({ crictl: '#!/bin/sh\necho crictl\n' });
    else if (name.startsWith('cni-plugins-')) body = await tarGz({ bridge: 'bridge', 'host-local': 'host-local', loopback: 'loopback' });
    else if (name === 'metallb-native.yaml') body = metallbManifest;
    else if (name === 'kube-flannel.yml') body = flannelAffinity;
    else throw new Error(`unexpected download ${item.url}`);
    await serve(item.url, body);
    if (item.checksumUrl !== undefined) await serve(item.checksumUrl, `${sha(body)}\n`);
  }
  server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const registry = /^\/([^/]+)\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(path);
    if (registry !== null) {
      const [, host, repository, kind, name] = registry as unknown as [string, string, string, string, string];
      if (kind === 'blobs' || name.startsWith('sha256:')) {
        const body = blobs.get(name);
        if (body === undefined) return void response.writeHead(404).end();
        if (kind === 'manifests') response.setHeader('content-type', 'application/vnd.oci.image.manifest.v1+json');
        return void response.end(body);
      }
      pulled.push(`${host}/${repository}:${name}`);
      response.setHeader('content-type', 'application/vnd.oci.image.index.v1+json');
      return void response.end(imageIndex(`${host}/${repository}:${name}`));
    }
    readFile(join(served, path)).then(
      (body) => response.end(body),
      () => response.writeHead(404).end('404: Not Found'),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((done) => server?.close(() => done()));
});

describe('npm run bundle -- --download --pull-images (REAL kubeadm 1.20.2; STAND-IN registries and release hosts on loopback)', () => {
  it('bundles the control plane images kubeadm lists, the flannel and MetalLB manifests and their images, and the catalog apps', async () => {
    const out = join(work, 'bundle');
    const cache = join(work, 'cache');
    const { stdout } = await run(
      process.execPath,
      [
        join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(REPO, 'scripts', 'bundle.ts'),
        ...['--download', '--download-from', base, '--kubernetes', '1.20.2', '--metallb', '--cni', 'flannel', '--pull-images'],
        ...['--cache', cache, '--out', out],
      ],
      { cwd: REPO, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const listed = (await run(join(nodeBinDir(), 'kubeadm'), ['config', 'images', 'list', '--kubernetes-version', 'v1.20.2'])).stdout
      .split('\n')
      .filter((line) => line !== '');
    expect(listed).toEqual(expect.arrayContaining(['k8s.gcr.io/kube-apiserver:v1.20.2', 'k8s.gcr.io/etcd:3.4.13-0']));

    const { manifest, files } = await verifyBundle(out);
    expect(files.map((file) => file.relative)).toEqual(
      expect.arrayContaining(['manifests/kube-flannel.yml', 'manifests/metallb-native.yaml']),
    );
    const images = Object.values(manifest.images ?? {}).flat();
    const { catalog } = await loadCatalog(join(REPO, 'resources', 'catalog'));
    expect(catalog.apps.length).toBeGreaterThan(0);
    const wanted = [
      ...listed,
      'docker.io/flannel/flannel-cni-plugin:v1.6.0-flannel1',
      'docker.io/flannel/flannel:v0.26.1',
      'quay.io/metallb/controller:v0.14.9',
      'quay.io/metallb/speaker:v0.14.9',
      ...catalog.apps.filter((app) => app.os === 'linux').flatMap((app) => app.images),
    ];
    // Docker Hub short names (the catalog's nginx:1.25-alpine) match as container runtimes read them.
    expect(missingImages(wanted, manifest.images ?? {})).toEqual([]);
    expect(images.length).toBe(new Set(images).size);
    // Each image was asked of its registry once, and nothing for Windows without --windows.
    expect(pulled.length).toBe(new Set(pulled).size);
    expect(Object.keys(manifest.images ?? {}).some((file) => file.startsWith('windows/'))).toBe(false);
    expect(stdout).toContain('linux image k8s.gcr.io/kube-apiserver:v1.20.2: pulling');
    expect(stdout).toContain(`manifests/kube-flannel.yml: SHA-256 ${sha(flannelAffinity)}`);

    // The archives are what a lab's bundle install imports: the real tar reads each one's index.
    const archive = Object.entries(manifest.images ?? {}).find(([, names]) => names.includes('k8s.gcr.io/pause:3.2'))?.[0];
    expect(archive).toBeDefined();
    await copyFile(join(out, archive ?? ''), join(work, 'pause.tar'));
    expect((await run('tar', ['-tf', join(work, 'pause.tar')])).stdout).toMatch(/index\.json/);
  });
});
