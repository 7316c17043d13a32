/**
 * `npm run bundle -- --download`: on a connected machine, fetches a bundle's inputs from their
 * upstream release locations, checks each against the checksum its publisher gives (dl.k8s.io's
 * .sha256 files, the GitHub releases' sha256 files) and keeps them in a cache folder, then the
 * builder makes the bundle from that folder as from any other. Only this command downloads: the
 * app itself never does. Files without a published checksum (scripts at a pinned git commit, the
 * MetalLB, flannel and Calico manifests of a release) are kept with their SHA-256 printed, and the bundle's manifest
 * records it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../shared/errors';
import { CNI_MANIFESTS } from '../labs/cni-manifests';
import { METALLB_VERSION } from '../labs/metallb';
import { K3S_INSTALL_SCRIPT, WINDOWS_NODE_SCRIPTS, type PinnedScript } from '../labs/pinned-scripts';
import { CONTAINERD_WINDOWS_VERSION, CRICTL_WINDOWS_VERSION } from '../labs/windows-bundle';
import type { BundleSources } from './bundle-builder';
import { sha256Of } from './bundle-manifest';

const run = promisify(execFile);

/** What to download for a bundle. */
export interface DownloadRequest {
  /** e.g. "1.20.2". */
  kubernetesVersion: string;
  /**
   * Windows workers' files: the node scripts and what they would download (kubelet.exe,
   * kubeadm.exe, containerd's and crictl's Windows archives, nssm).
   */
  windows?: boolean;
  /** k3s labs: the release, e.g. "v1.30.8+k3s1" (its binary and the install script). */
  k3s?: string;
  /** MetalLB's manifest (its images come as archives: --images, or --pull-images). */
  metallb?: boolean;
  /** The network plugin's manifest of its pinned release, for labs that use flannel or Calico offline. */
  cni?: 'flannel' | 'calico';
}

/** Versions of the parts that do not follow the Kubernetes version. */
export const DOWNLOAD_VERSIONS = {
  containerdWindows: CONTAINERD_WINDOWS_VERSION,
  crictlWindows: CRICTL_WINDOWS_VERSION,
  cniPlugins: '1.1.1',
} as const;

/** One file to fetch: where from, where into the cache, and how to check it. */
export interface DownloadItem {
  url: string;
  /** Path in the cache folder ('/' separators). */
  to: string;
  /** A file of the publisher's with the SHA-256 (alone, or `<sha256>  <name>` lines), or none. */
  checksumUrl?: string;
  /** The name to look up in a checksum file of several lines. */
  checksumName?: string;
  /** A pinned SHA-256 (a pinned script's, where one is set). */
  sha256?: string;
  mode?: number;
}

export interface DownloadOptions {
  /** Where the inputs are kept between runs (a file already there with the right checksum is not fetched again). */
  cacheDir: string;
  /**
   * A mirror of the upstream hosts laid out as <base>/<host>/<path> (tests serve one on loopback;
   * a proxy cache can too). Default: the upstream URLs themselves.
   */
  base?: string;
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

const k8sBinary = (version: string, os: 'linux' | 'windows', name: string) =>
  `https://dl.k8s.io/release/v${version}/bin/${os}/amd64/${name}`;
const github = (repository: string, tag: string, file: string) =>
  `https://github.com/${repository}/releases/download/${encodeURIComponent(tag)}/${file}`;

/** crictl's release follows Kubernetes' minor version (cri-tools v1.20.0 for Kubernetes 1.20). */
function crictlVersion(kubernetesVersion: string): string {
  const [major, minor] = kubernetesVersion.split('.');
  return `v${major}.${minor}.0`;
}

/** The files of a request, in the order they are fetched. */
export function downloadItems(request: DownloadRequest): DownloadItem[] {
  const version = request.kubernetesVersion;
  const items: DownloadItem[] = ['kubelet', 'kubeadm', 'kubectl'].map((name) => ({
    url: k8sBinary(version, 'linux', name),
    to: `node-bin/${name}`,
    checksumUrl: `${k8sBinary(version, 'linux', name)}.sha256`,
    mode: 0o755,
  }));
  const crictl = crictlVersion(version);
  const crictlArchive = `crictl-${crictl}-linux-amd64.tar.gz`;
  items.push({
    url: github('kubernetes-sigs/cri-tools', crictl, crictlArchive),
    to: `archives/${crictlArchive}`,
    checksumUrl: `${github('kubernetes-sigs/cri-tools', crictl, crictlArchive)}.sha256`,
  });
  const cni = DOWNLOAD_VERSIONS.cniPlugins;
  const cniArchive = `cni-plugins-linux-amd64-v${cni}.tgz`;
  items.push({
    url: github('containernetworking/plugins', `v${cni}`, cniArchive),
    to: `archives/${cniArchive}`,
    checksumUrl: `${github('containernetworking/plugins', `v${cni}`, cniArchive)}.sha256`,
  });
  if (request.metallb === true) {
    items.push({
      url: `https://raw.githubusercontent.com/metallb/metallb/${METALLB_VERSION}/config/manifests/metallb-native.yaml`,
      to: 'manifests/metallb-native.yaml',
    });
  }
  if (request.cni !== undefined) {
    const manifest = CNI_MANIFESTS[request.cni];
    items.push({ url: manifest.url, to: `manifests/${manifest.file}` });
  }
  if (request.windows === true) {
    for (const name of ['kubelet.exe', 'kubeadm.exe']) {
      items.push({
        url: k8sBinary(version, 'windows', name),
        to: `windows/${name}`,
        checksumUrl: `${k8sBinary(version, 'windows', name)}.sha256`,
      });
    }
    const containerd = DOWNLOAD_VERSIONS.containerdWindows;
    const archive = `containerd-${containerd}-windows-amd64.tar.gz`;
    items.push({
      url: github('containerd/containerd', `v${containerd}`, archive),
      to: `windows/${archive}`,
      checksumUrl: `${github('containerd/containerd', `v${containerd}`, archive)}.sha256sum`,
      checksumName: archive,
    });
    const crictlWindows = `crictl-v${DOWNLOAD_VERSIONS.crictlWindows}-windows-amd64.tar.gz`;
    items.push({
      url: github('kubernetes-sigs/cri-tools', `v${DOWNLOAD_VERSIONS.crictlWindows}`, crictlWindows),
      to: `windows/${crictlWindows}`,
      checksumUrl: `${github('kubernetes-sigs/cri-tools', `v${DOWNLOAD_VERSIONS.crictlWindows}`, crictlWindows)}.sha256`,
    });
    // What PrepareNode.ps1 registers kubelet with; its mirror publishes no checksum.
    items.push({ url: 'https://k8stestinfrabinaries.blob.core.windows.net/nssm-mirror/nssm-2.24.zip', to: 'windows/nssm-2.24.zip' });
    for (const script of Object.values(WINDOWS_NODE_SCRIPTS))
      items.push({ url: script.url, to: `windows/${script.name}`, ...pinned(script) });
  }
  if (request.k3s !== undefined) {
    items.push({
      url: github('k3s-io/k3s', request.k3s, 'k3s'),
      to: 'k3s/k3s',
      checksumUrl: github('k3s-io/k3s', request.k3s, 'sha256sum-amd64.txt'),
      checksumName: 'k3s',
      mode: 0o755,
    });
    items.push({ url: K3S_INSTALL_SCRIPT.url, to: 'k3s/k3s-install.sh', ...pinned(K3S_INSTALL_SCRIPT) });
  }
  return items;
}

/** A pinned script's checksum, where someone set one (pinned-scripts.ts). */
function pinned(script: PinnedScript): Pick<DownloadItem, 'sha256'> {
  return script.sha256 === undefined ? {} : { sha256: script.sha256 };
}

/**
 * Fetches the request's files into the cache (each checked before it is kept) and returns the
 * builder's sources for them.
 * @throws AppError INVALID_INPUT for a file whose checksum differs (nothing of it is kept),
 *   UNREACHABLE when a download fails.
 */
export async function downloadSources(request: DownloadRequest, options: DownloadOptions): Promise<BundleSources> {
  const log = options.log ?? (() => undefined);
  for (const item of downloadItems(request)) await fetchChecked(item, options, log);
  const cache = options.cacheDir;
  const crictlArchive = join(cache, 'archives', `crictl-${crictlVersion(request.kubernetesVersion)}-linux-amd64.tar.gz`);
  await mkdir(join(cache, 'bin'), { recursive: true });
  await run('tar', ['-xzf', crictlArchive, '-C', join(cache, 'bin'), 'crictl']);
  await rm(join(cache, 'cni-bin'), { recursive: true, force: true });
  await mkdir(join(cache, 'cni-bin'), { recursive: true });
  await run('tar', [
    '-xzf',
    join(cache, 'archives', `cni-plugins-linux-amd64-v${DOWNLOAD_VERSIONS.cniPlugins}.tgz`),
    '-C',
    join(cache, 'cni-bin'),
  ]);
  return {
    kubernetesVersion: request.kubernetesVersion,
    nodeBinDir: join(cache, 'node-bin'),
    cniBinDir: join(cache, 'cni-bin'),
    tools: { crictl: join(cache, 'bin', 'crictl') },
    manifests: [
      ...(request.metallb === true ? [join(cache, 'manifests', 'metallb-native.yaml')] : []),
      ...(request.cni === undefined ? [] : [join(cache, 'manifests', CNI_MANIFESTS[request.cni].file)]),
    ],
    ...(request.windows === true ? { windowsDir: join(cache, 'windows') } : {}),
    ...(request.k3s === undefined
      ? {}
      : { k3s: { binary: join(cache, 'k3s', 'k3s'), installScript: join(cache, 'k3s', 'k3s-install.sh') } }),
  };
}

/** The URL asked for `url`: the upstream one, or its place under the mirror base. */
function sourceUrl(url: string, base: string | undefined): string {
  if (base === undefined) return url;
  const parsed = new URL(url);
  return `${base.replace(/\/+$/, '')}/${parsed.host}${parsed.pathname}`;
}

async function fetchBytes(url: string, options: DownloadOptions): Promise<Buffer> {
  const asked = sourceUrl(url, options.base);
  const fetcher = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetcher(asked, { redirect: 'follow' });
  } catch (error) {
    throw new AppError('UNREACHABLE', `${asked} could not be downloaded: ${(error as Error).message}.`, {
      url: asked,
      fix: 'Check the connection (npm run bundle -- --download runs on a machine with internet), or give the files as folders.',
    });
  }
  if (!response.ok) {
    throw new AppError('UNREACHABLE', `${asked} answered HTTP ${response.status}.`, {
      url: asked,
      fix: 'Check the version asked for (that release may not have this file), or give the files as folders.',
    });
  }
  return Buffer.from(await response.arrayBuffer());
}

/** The SHA-256 the publisher's checksum file gives for the item. */
async function expectedSha(item: DownloadItem, options: DownloadOptions): Promise<string | undefined> {
  if (item.sha256 !== undefined) return item.sha256;
  if (item.checksumUrl === undefined) return undefined;
  const text = (await fetchBytes(item.checksumUrl, options)).toString('utf8');
  const lines = text.split('\n').map((line) => line.trim().split(/\s+/));
  const line = item.checksumName === undefined ? lines[0] : lines.find((parts) => parts[1]?.replace(/^\*/, '') === item.checksumName);
  const sha = line?.[0]?.toLowerCase();
  if (sha === undefined || !/^[0-9a-f]{64}$/.test(sha)) {
    throw new AppError(
      'INVALID_INPUT',
      `${item.checksumUrl} holds no SHA-256${item.checksumName === undefined ? '' : ` for ${item.checksumName}`}.`,
      {
        url: item.checksumUrl,
      },
    );
  }
  return sha;
}

async function fetchChecked(item: DownloadItem, options: DownloadOptions, log: (line: string) => void): Promise<void> {
  const target = join(options.cacheDir, ...item.to.split('/'));
  const expected = await expectedSha(item, options);
  if (expected !== undefined && existsSync(target) && (await sha256Of(target)) === expected) {
    log(`${item.to}: in the cache (SHA-256 ${expected})`);
    return;
  }
  const bytes = await fetchBytes(item.url, options);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (expected !== undefined && sha !== expected) {
    throw new AppError(
      'INVALID_INPUT',
      `${item.url} has SHA-256 ${sha} where its publisher's checksum says ${expected}: it was not kept. Download again; if it persists, the file or its mirror was changed.`,
      { url: item.url, sha256: sha, expected },
    );
  }
  await mkdir(dirname(target), { recursive: true });
  await writeFile(`${target}.part`, bytes);
  if (item.mode !== undefined) await chmod(`${target}.part`, item.mode);
  await rename(`${target}.part`, target);
  log(
    expected === undefined
      ? `${item.to}: SHA-256 ${sha} (no published checksum: compare it with one you trust)`
      : `${item.to}: SHA-256 ${sha}, as published`,
  );
}
