/**
 * What the real-VM tier gives Nestlab to install (issue 18): the Debian 12 guest image and an
 * offline bundle of Kubernetes node packages built here from Debian's Kubernetes 1.20.2 source.
 * Both are made by scripts that npm test runs before the tests (as root); the tests only find them.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, link, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KUBERNETES_VERSION, nestlabCacheDir } from '../binaries';

const run = promisify(execFile);
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Bumped with scripts/real-vms/guest-image.sh's IMAGE_NAME. */
export const GUEST_IMAGE_NAME = 'debian-12-nestlab-v3';

/** The cached guest image (qcow2 with a partition table and extlinux, like a cloud image). */
export function guestImagePath(): string {
  return join(nestlabCacheDir(), 'guest-image', `${GUEST_IMAGE_NAME}.qcow2`);
}

/** Where `provision.sh --node` puts kubelet, kubeadm, kube-proxy and kubectl (all 1.20.2). */
export function nodeBinDir(): string {
  return join(nestlabCacheDir(), `kubernetes-${KUBERNETES_VERSION}`, 'node-bin');
}

const NODE_BINARIES = ['kubelet', 'kubeadm', 'kube-proxy', 'kubectl'] as const;

/** Bumped with scripts/real-vms/node-images.sh's IMAGES_NAME. */
const IMAGES_NAME = 'images-v2';

/** Where `scripts/real-vms/node-images.sh` puts the image archives (and cni-bin/, Debian's CNI plugins). */
export function nodeImagesDir(): string {
  return join(nestlabCacheDir(), `kubernetes-${KUBERNETES_VERSION}`, IMAGES_NAME);
}

/** The images kubeadm 1.20.2 runs, as node-images.sh tags them (CoreDNS exists only in a registry). */
export const NODE_IMAGES = [
  'k8s.gcr.io/kube-apiserver:v1.20.2',
  'k8s.gcr.io/kube-controller-manager:v1.20.2',
  'k8s.gcr.io/kube-scheduler:v1.20.2',
  'k8s.gcr.io/kube-proxy:v1.20.2',
  'k8s.gcr.io/etcd:3.4.13-0',
  'k8s.gcr.io/pause:3.2',
  'registry.k8s.io/pause:3.6',
] as const;

/** The crictl STAND-IN the bundle carries as bin/crictl (the real cri-tools cannot be had here). */
export const CRICTL_STAND_IN = join(REPO_ROOT, 'tests', 'harness', 'real-vms', 'crictl-stand-in.sh');

/** Throws naming the command to run when the image, the node binaries (or the node images, when asked) are not built yet. */
export function requireRealVmArtifacts(options: { images?: boolean } = {}): void {
  const missing = [
    existsSync(guestImagePath()) ? '' : `the guest image ${guestImagePath()} (bash scripts/real-vms/guest-image.sh)`,
    NODE_BINARIES.every((name) => existsSync(join(nodeBinDir(), name)))
      ? ''
      : `${NODE_BINARIES.join(', ')} in ${nodeBinDir()} (bash scripts/test-cluster/provision.sh --node)`,
    options.images !== true || existsSync(join(nodeImagesDir(), '.complete'))
      ? ''
      : `the node images in ${nodeImagesDir()} (bash scripts/real-vms/node-images.sh)`,
  ].filter((entry) => entry !== '');
  if (missing.length > 0) {
    throw new Error(`The real-VM tier needs ${missing.join(' and ')}; npm test builds them as root before the tests.`);
  }
}

/** The upstream packages' kubelet unit (kubernetes/release, deb/kubelet). */
const KUBELET_SERVICE = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

/** The upstream kubeadm package's kubelet drop-in (10-kubeadm.conf). */
const KUBEADM_DROP_IN = `[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

interface DebianPackage {
  name: string;
  depends: string;
  description: string;
  files: { path: string; from?: string; content?: string; mode: number }[];
  postinst?: string;
}

function packages(): DebianPackage[] {
  const bin = nodeBinDir();
  return [
    {
      name: 'kubelet',
      // What the upstream kubelet package depends on, as far as Debian 12 ships it.
      depends: 'iptables, iproute2, socat, util-linux, mount, ethtool, ebtables, conntrack',
      description: 'Kubernetes node agent (built from Debian source 1.20.2 for the Nestlab real-VM tier)',
      files: [
        { path: 'usr/bin/kubelet', from: join(bin, 'kubelet'), mode: 0o755 },
        { path: 'lib/systemd/system/kubelet.service', content: KUBELET_SERVICE, mode: 0o644 },
      ],
      postinst: '#!/bin/sh\nset -e\nsystemctl daemon-reload >/dev/null 2>&1 || true\nsystemctl enable kubelet >/dev/null 2>&1 || true\n',
    },
    {
      name: 'kubeadm',
      depends: 'kubelet, kubectl',
      description: 'Kubernetes cluster bootstrapping tool (built from Debian source 1.20.2 for the Nestlab real-VM tier)',
      files: [
        { path: 'usr/bin/kubeadm', from: join(bin, 'kubeadm'), mode: 0o755 },
        { path: 'etc/systemd/system/kubelet.service.d/10-kubeadm.conf', content: KUBEADM_DROP_IN, mode: 0o644 },
      ],
      postinst: '#!/bin/sh\nset -e\nsystemctl daemon-reload >/dev/null 2>&1 || true\n',
    },
    {
      name: 'kubectl',
      depends: '',
      description: 'Kubernetes command-line client (1.20.2 for the Nestlab real-VM tier)',
      files: [{ path: 'usr/bin/kubectl', from: join(bin, 'kubectl'), mode: 0o755 }],
    },
  ];
}

async function buildDeb(pkg: DebianPackage, outDir: string, work: string): Promise<void> {
  const root = join(work, pkg.name);
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  const control = [
    `Package: ${pkg.name}`,
    `Version: ${KUBERNETES_VERSION}-00`,
    'Architecture: amd64',
    'Maintainer: Nestlab tests <nestlab@localhost>',
    ...(pkg.depends === '' ? [] : [`Depends: ${pkg.depends}`]),
    `Description: ${pkg.description}`,
    '',
  ].join('\n');
  await writeFile(join(root, 'DEBIAN', 'control'), control);
  if (pkg.postinst !== undefined) {
    await writeFile(join(root, 'DEBIAN', 'postinst'), pkg.postinst);
    await chmod(join(root, 'DEBIAN', 'postinst'), 0o755);
  }
  for (const file of pkg.files) {
    const target = join(root, file.path);
    await mkdir(dirname(target), { recursive: true });
    if (file.from !== undefined) await copyFile(file.from, target);
    else await writeFile(target, file.content ?? '');
    await chmod(target, file.mode);
  }
  // gzip level 1: the bundle crosses SSH twice; xz would cost a minute of CPU for little.
  await run('dpkg-deb', [
    '--root-owner-group',
    '-Zgzip',
    '-z1',
    '--build',
    root,
    join(outDir, `${pkg.name}_${KUBERNETES_VERSION}-00_amd64.deb`),
  ]);
}

/** A hard link where the cache and the bundle share a file system (the archives are large), else a copy. */
async function place(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await link(from, to).catch(() => copyFile(from, to));
}

/**
 * The bundle's CNI configuration: Debian's bridge and host-local plugins (cni/bin/) give pods on a
 * node addresses from the pod range behind a cni0 bridge, with portmap for hostPort. The same file
 * goes to every node, so nodes share the range and pods on different nodes do not reach each other
 * (a real CNI such as flannel gives each node its podCIDR; its images exist only in a registry).
 */
export function bridgeConflist(podCidr: string): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'nestlab-bridge',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: podCidr }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/**
 * An offline bundle in the layout the product documents, in a new temporary folder (the caller
 * removes it): debs/*.deb (kubelet, kubeadm, kubectl) and, with `kubernetes`, what kubeadm init
 * needs beyond them: images/*.tar (node-images.sh's archives), bin/crictl (the STAND-IN),
 * cni/bin/ (Debian's plugins) and cni/net.d/ (bridgeConflist of the lab's pod range).
 */
export async function assembleNodeBundle(options: { kubernetes?: { podCidr: string } } = {}): Promise<string> {
  requireRealVmArtifacts({ images: options.kubernetes !== undefined });
  const dir = await mkdtemp(join(tmpdir(), 'nestlab-bundle-'));
  const work = await mkdtemp(join(tmpdir(), 'nestlab-debs-'));
  try {
    await mkdir(join(dir, 'debs'));
    for (const pkg of packages()) await buildDeb(pkg, join(dir, 'debs'), work);
    if (options.kubernetes === undefined) return dir;
    const images = nodeImagesDir();
    for (const archive of (await readdir(images)).filter((name) => name.endsWith('.tar'))) {
      await place(join(images, archive), join(dir, 'images', archive));
    }
    for (const plugin of await readdir(join(images, 'cni-bin'))) {
      await place(join(images, 'cni-bin', plugin), join(dir, 'cni', 'bin', plugin));
    }
    await mkdir(join(dir, 'cni', 'net.d'), { recursive: true });
    await writeFile(join(dir, 'cni', 'net.d', '10-nestlab-bridge.conflist'), bridgeConflist(options.kubernetes.podCidr));
    await place(CRICTL_STAND_IN, join(dir, 'bin', 'crictl'));
    return dir;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** scripts/real-vms/guest-image.sh, for the provisioning step of npm test. */
export const GUEST_IMAGE_SCRIPT = join(REPO_ROOT, 'scripts', 'real-vms', 'guest-image.sh');
