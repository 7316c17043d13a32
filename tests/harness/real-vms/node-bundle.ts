/**
 * What the real-VM tier gives Nestlab to install (issue 18): the Debian 12 guest image and an
 * offline bundle of Kubernetes node packages built here from Debian's Kubernetes 1.20.2 source.
 * Both are made by scripts that npm test runs before the tests (as root); the tests only find them.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBundle } from '../../../src/main/offline-kit/bundle-builder';
import { KUBERNETES_VERSION, nestlabCacheDir } from '../binaries';
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
const IMAGES_NAME = 'images-v3';

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

/** A workload image node-images.sh builds from Debian's busybox-static: a shell and its applets, for pods that log and take exec. */
export const WORKLOAD_IMAGE = 'localhost/busybox:1.35.0';

/** The crictl STAND-IN the bundle carries as bin/crictl (the real cri-tools cannot be had here). */
export const CRICTL_STAND_IN = join(REPO_ROOT, 'tests', 'harness', 'real-vms', 'crictl-stand-in.sh');

/** Debian's etcdctl (etcd-client, which npm test installs), for the bundle's bin/. */
const ETCDCTL = '/usr/bin/etcdctl';

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
 * An offline bundle in the layout the product documents, built by the product's builder (what
 * `npm run bundle` runs) in a new temporary folder (the caller removes it): debs/*.deb (kubelet,
 * kubeadm, kubectl), manifest.json and SHA256SUMS and, with `kubernetes`, what kubeadm init needs
 * beyond them: images/*.tar (node-images.sh's archives), bin/crictl (the STAND-IN), bin/etcdctl, cni/bin/
 * (Debian's plugins) and cni/net.d/ (bridgeConflist of the lab's pod range).
 */
export async function assembleNodeBundle(options: { kubernetes?: { podCidr: string } } = {}): Promise<string> {
  requireRealVmArtifacts({ images: options.kubernetes !== undefined });
  const dir = await mkdtemp(join(tmpdir(), 'nestlab-bundle-'));
  const images = nodeImagesDir();
  await buildBundle(
    {
      kubernetesVersion: KUBERNETES_VERSION,
      nodeBinDir: nodeBinDir(),
      ...(options.kubernetes === undefined
        ? {}
        : {
            imagesDir: images,
            cniBinDir: join(images, 'cni-bin'),
            cniConfigs: { '10-nestlab-bridge.conflist': bridgeConflist(options.kubernetes.podCidr) },
            // etcdctl for Nestlab's etcd snapshots (kubeadm installs none): Debian's etcd-client, 3.4.23 like the etcd image.
            tools: { crictl: CRICTL_STAND_IN, etcdctl: ETCDCTL },
          }),
    },
    dir,
  );
  return dir;
}

/** scripts/real-vms/guest-image.sh, for the provisioning step of npm test. */
export const GUEST_IMAGE_SCRIPT = join(REPO_ROOT, 'scripts', 'real-vms', 'guest-image.sh');
