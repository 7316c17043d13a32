/**
 * The plan's registry mirror, for every registry a lab pulls from: not only Docker Hub
 * but quay.io (MetalLB, the Tigera operator), registry.k8s.io (the control plane; k8s.gcr.io for
 * kubeadm and containerd releases older than 1.25), ghcr.io (flannel) and, for Windows workers,
 * mcr.microsoft.com (Windows pause and base images).
 *
 * Layout: the mirror serves each registry's repositories under a path named after the registry,
 * `mirror.lab:5000/quay.io/metallb/controller`, as a Harbor proxy-cache project per registry does,
 * or `skopeo sync` / `crane copy` into such paths; kubeadm's imageRepository (mirror/registry.k8s.io)
 * uses the same layout. containerd is told with one hosts.toml per registry (its certs.d
 * directory, read only when config.toml's registry config_path names it), whose host is that
 * path with override_path; k3s with registries.yaml rewrites. Images keep their upstream names in
 * the cluster, and containerd falls back to the registry itself when the mirror lacks an image.
 */
import { stringify } from 'yaml';
import type { LabPlan } from '../../shared/contract/labs';

/** Where containerd reads per-registry host configuration on Linux (config_path). */
export const LINUX_CERTS_D = '/etc/containerd/certs.d';

/** A registry a lab pulls from, and what comes from it (for the lab log and the docs). */
export interface PulledRegistry {
  /** The registry as image references name it (docker.io, quay.io, ...). */
  registry: string;
  /** What the lab pulls from it. */
  images: string[];
}

/** The API endpoint of each registry where it is not https://<registry> (Docker Hub's). */
const REGISTRY_SERVER: Readonly<Record<string, string>> = { 'docker.io': 'https://registry-1.docker.io' };

/** The plan's mirror URL, or undefined when it has none. */
export function planMirror(plan: LabPlan): string | undefined {
  return plan.registryMirror === undefined || plan.registryMirror.trim() === '' ? undefined : plan.registryMirror.trim();
}

/** kubeadm and containerd name the control plane's registry k8s.gcr.io before 1.25. */
function oldControlPlaneRegistry(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major === 1 && (minor ?? 0) < 25;
}

/** The registries machines of the given OS pull from in this plan, sorted by name. */
export function pulledRegistries(plan: LabPlan, os: 'linux' | 'windows'): PulledRegistry[] {
  const byRegistry = new Map<string, string[]>();
  const add = (registry: string, images: string) => byRegistry.set(registry, [...(byRegistry.get(registry) ?? []), images]);
  if (os === 'windows') {
    add('docker.io', "sig-windows-tools' flannel and kube-proxy (sigwindowstools/*)");
    if (plan.cni === 'calico') add('docker.io', 'Calico for Windows (calico/*)');
    add('mcr.microsoft.com', 'Windows pause and base images');
    add('registry.k8s.io', "containerd's pause image");
  } else if (plan.distribution === 'k3s') {
    add('docker.io', "k3s' system images (rancher/*)");
    if (plan.cni === 'calico') {
      add('quay.io', 'the Tigera operator');
      add('docker.io', 'Calico (calico/*)');
    }
  } else {
    add('registry.k8s.io', 'the control plane, CoreDNS and pause');
    if (oldControlPlaneRegistry(plan.kubernetesVersion)) add('k8s.gcr.io', 'the control plane and pause of releases before 1.25');
    if (plan.cni === 'flannel') {
      add('docker.io', 'flannel (flannel/*)');
      add('ghcr.io', 'flannel (flannel-io/*)');
    } else if (plan.cni === 'calico') {
      add('quay.io', 'the Tigera operator');
      add('docker.io', 'Calico (calico/*)');
    }
    add('quay.io', 'MetalLB');
  }
  return [...byRegistry]
    .map(([registry, images]) => ({ registry, images }))
    .sort((a, b) => (a.registry < b.registry ? -1 : a.registry > b.registry ? 1 : 0));
}

/** The mirror's host[:port] and path prefix ('' or '/proxy'), from its URL. */
function mirrorParts(mirror: string): { origin: string; host: string; path: string } {
  const url = new URL(mirror);
  return { origin: url.origin, host: url.host, path: url.pathname.replace(/\/+$/, '') };
}

/** Where the mirror serves a registry's repositories, as an image repository prefix (mirror.lab:5000/quay.io). */
export function mirroredRepository(mirror: string, registry: string): string {
  const { host, path } = mirrorParts(mirror);
  return `${host}${path}/${registry}`;
}

/**
 * An image reference as the mirror serves it: `quay.io/metallb/controller:v0.14.9` ->
 * `mirror.lab:5000/quay.io/metallb/controller:v0.14.9`; Docker Hub's short names are completed as
 * containerd completes them (`nginx:1.27` -> `mirror.lab:5000/docker.io/library/nginx:1.27`).
 */
export function mirroredImage(image: string, mirror: string): string {
  const { registry, repository } = imageParts(image);
  return `${mirroredRepository(mirror, registry)}/${repository}`;
}

/** An image reference's registry (docker.io for Docker Hub's short names) and the rest (library/ added for Docker Hub's official images). */
export function imageParts(image: string): { registry: string; repository: string } {
  const slash = image.indexOf('/');
  const first = slash === -1 ? '' : image.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  const registry = hasRegistry ? first : 'docker.io';
  const repository = hasRegistry ? image.slice(slash + 1) : image;
  return { registry, repository: registry === 'docker.io' && !repository.includes('/') ? `library/${repository}` : repository };
}

/**
 * containerd's hosts.toml for one registry (certs.d/<registry>/hosts.toml): pull and resolve
 * through the mirror's path for that registry (override_path: the path is the registry API's
 * root, /v2 included), then the registry itself.
 */
export function containerdHostsToml(registry: string, mirror: string): string {
  const { origin, path } = mirrorParts(mirror);
  const server = REGISTRY_SERVER[registry] ?? `https://${registry}`;
  return [
    `server = ${JSON.stringify(server)}`,
    '',
    `[host.${JSON.stringify(`${origin}/v2${path}/${registry}`)}]`,
    '  capabilities = ["pull", "resolve"]',
    '  override_path = true',
    '',
  ].join('\n');
}

/** hosts.toml of every registry the plan's machines of this OS pull from (none without a mirror). */
export function containerdHostsFiles(plan: LabPlan, os: 'linux' | 'windows'): { registry: string; content: string }[] {
  const mirror = planMirror(plan);
  if (mirror === undefined) return [];
  return pulledRegistries(plan, os).map(({ registry }) => ({ registry, content: containerdHostsToml(registry, mirror) }));
}

/**
 * The sed expression that points containerd's CRI registry config_path at `certsD` in the
 * configuration `containerd config default` prints (1.6 and 1.7 print `config_path = ""`).
 */
export function configPathSed(certsD: string): string {
  return `s|config_path = ""|config_path = "${certsD}"|`;
}

/**
 * The sed arguments that turn `containerd config default` into a lab node's config.toml: the
 * systemd cgroup driver (as the kubelet is configured), and config_path at the mirror's hosts.toml
 * folder when the lab has a mirror.
 */
export function containerdConfigSed(plan: LabPlan): string {
  const cgroup = '"s/SystemdCgroup = false/SystemdCgroup = true/"';
  return planMirror(plan) === undefined ? cgroup : `-e ${cgroup} -e '${configPathSed(LINUX_CERTS_D)}'`;
}

/**
 * k3s' /etc/rancher/k3s/registries.yaml (its embedded containerd is configured by k3s, not by
 * certs.d): each registry through the mirror, its repositories rewritten under the registry's path.
 */
export function k3sRegistriesYaml(plan: LabPlan): string | undefined {
  const mirror = planMirror(plan);
  if (mirror === undefined) return undefined;
  const { origin, path } = mirrorParts(mirror);
  const prefix = path === '' ? '' : `${path.slice(1)}/`;
  const mirrors: Record<string, unknown> = {};
  for (const { registry } of pulledRegistries(plan, 'linux')) {
    mirrors[registry] = { endpoint: [origin], rewrite: { '^(.*)$': `${prefix}${registry}/$1` } };
  }
  return stringify({ mirrors });
}
