import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubeadmInstallScript } from './node-install';
import { windowsPrepareScript } from './windows-node';
import { linuxUserData } from './cloud-init';
import { kubeadmInitConfig } from './kubeadm-config';
import { machinesOf } from './machines';
import { containerdHostsToml, k3sRegistriesYaml, mirroredImage, mirroredRepository, pulledRegistries } from './registry-mirror';
import { TEST_PUBLIC_KEY, testPlan } from './test-plans';
import { tempDir } from '../../../tests/harness/temp-dir';

const MIRROR = 'https://mirror.lab.internal:5000';

/**
 * What containerd requests for a manifest with a hosts.toml host that has override_path: the host
 * URL is the registry API root, the repository and /manifests/<tag> follow.
 */
function containerdManifestUrl(hostsToml: string, image: string): string {
  const host = /^\[host\."([^"]+)"\]$/m.exec(hostsToml)?.[1];
  expect(hostsToml).toContain('override_path = true');
  const withoutRegistry = image.slice(image.indexOf('/') + 1);
  const [repository, tag] = withoutRegistry.split(':');
  return `${host}/${repository}/manifests/${tag}`;
}

/** The same manifest as a registry serving `mirroredImage`'s reference answers it. */
function mirrorManifestUrl(mirrored: string, scheme = 'https'): string {
  const [hostAndPath, tag] = mirrored.split(/:(?=[^/:]+$)/);
  const slash = hostAndPath!.indexOf('/');
  return `${scheme}://${hostAndPath!.slice(0, slash)}/v2/${hostAndPath!.slice(slash + 1)}/manifests/${tag}`;
}

describe('registry mirror rewriting, for each registry a lab pulls from', () => {
  it.each([
    ['registry.k8s.io/kube-apiserver:v1.30.8', 'mirror.lab.internal:5000/registry.k8s.io/kube-apiserver:v1.30.8'],
    ['k8s.gcr.io/kube-apiserver:v1.20.2', 'mirror.lab.internal:5000/k8s.gcr.io/kube-apiserver:v1.20.2'],
    ['quay.io/metallb/controller:v0.14.9', 'mirror.lab.internal:5000/quay.io/metallb/controller:v0.14.9'],
    ['quay.io/tigera/operator:v1.36.2', 'mirror.lab.internal:5000/quay.io/tigera/operator:v1.36.2'],
    ['docker.io/flannel/flannel:v0.26.1', 'mirror.lab.internal:5000/docker.io/flannel/flannel:v0.26.1'],
    ['ghcr.io/flannel-io/flannel:v0.26.1', 'mirror.lab.internal:5000/ghcr.io/flannel-io/flannel:v0.26.1'],
    [
      'sigwindowstools/kube-proxy:v1.30.8-flannel-hostprocess',
      'mirror.lab.internal:5000/docker.io/sigwindowstools/kube-proxy:v1.30.8-flannel-hostprocess',
    ],
    ['calico/node:v3.29.1', 'mirror.lab.internal:5000/docker.io/calico/node:v3.29.1'],
    ['mcr.microsoft.com/oss/kubernetes/pause:3.9', 'mirror.lab.internal:5000/mcr.microsoft.com/oss/kubernetes/pause:3.9'],
    ['nginx:1.27', 'mirror.lab.internal:5000/docker.io/library/nginx:1.27'],
  ])('%s is served as %s, and containerd asks the mirror for exactly that', (image, mirrored) => {
    expect(mirroredImage(image, MIRROR)).toBe(mirrored);
    const full = mirroredImage(image, MIRROR).slice('mirror.lab.internal:5000/'.length);
    const registry = full.slice(0, full.indexOf('/'));
    expect(containerdManifestUrl(containerdHostsToml(registry, MIRROR), full)).toBe(mirrorManifestUrl(mirrored));
  });

  it('keeps a path prefix of the mirror (a Harbor project, a proxy path) in front of the registry', () => {
    const mirror = 'https://harbor.lab/proxy/';
    expect(mirroredImage('quay.io/metallb/speaker:v0.14.9', mirror)).toBe('harbor.lab/proxy/quay.io/metallb/speaker:v0.14.9');
    expect(mirroredRepository(mirror, 'registry.k8s.io')).toBe('harbor.lab/proxy/registry.k8s.io');
    expect(containerdHostsToml('quay.io', mirror)).toContain('[host."https://harbor.lab/v2/proxy/quay.io"]');
  });

  it("writes containerd's hosts.toml: the mirror's path for the registry first, then the registry itself", () => {
    expect(containerdHostsToml('docker.io', 'http://10.0.0.5:5000')).toBe(
      [
        'server = "https://registry-1.docker.io"',
        '',
        '[host."http://10.0.0.5:5000/v2/docker.io"]',
        '  capabilities = ["pull", "resolve"]',
        '  override_path = true',
        '',
      ].join('\n'),
    );
    expect(containerdHostsToml('quay.io', MIRROR)).toMatch(/^server = "https:\/\/quay\.io"$/m);
  });
});

describe('the registries a plan pulls from', () => {
  const registries = (overrides: Parameters<typeof testPlan>[0], os: 'linux' | 'windows' = 'linux') =>
    pulledRegistries(testPlan(overrides), os).map((entry) => entry.registry);

  it('kubeadm: the control plane (k8s.gcr.io too before 1.25), the CNI, MetalLB', () => {
    expect(registries({ cni: 'flannel' })).toEqual(['docker.io', 'ghcr.io', 'quay.io', 'registry.k8s.io']);
    expect(registries({ cni: 'calico', kubernetesVersion: '1.20.2' })).toEqual(['docker.io', 'k8s.gcr.io', 'quay.io', 'registry.k8s.io']);
  });

  it("Windows workers: sig-windows-tools' and Calico's images, Windows pause and base images, containerd's pause", () => {
    expect(registries({ cni: 'calico' }, 'windows')).toEqual(['docker.io', 'mcr.microsoft.com', 'registry.k8s.io']);
  });

  it("k3s: its system images, and Calico's when it replaces k3s' flannel", () => {
    expect(registries({ distribution: 'k3s', windowsWorkers: 0 })).toEqual(['docker.io']);
    expect(registries({ distribution: 'k3s', windowsWorkers: 0, cni: 'calico' })).toEqual(['docker.io', 'quay.io']);
  });
});

describe('where the mirror is configured on the machines', () => {
  const machines = machinesOf(testPlan());
  const controlPlane = machines[0]!;
  const userData = (overrides: Parameters<typeof testPlan>[0]) =>
    parse(linuxUserData(controlPlane, testPlan(overrides), TEST_PUBLIC_KEY).replace(/^#cloud-config\n/, '')) as {
      write_files: { path: string; content: string }[];
      runcmd: (string | string[])[];
    };

  it("Linux (kubeadm): a hosts.toml per registry in containerd's certs.d, and config_path pointed there", () => {
    const seed = userData({ registryMirror: MIRROR, cni: 'calico' });
    const hosts = seed.write_files.filter((file) => file.path.startsWith('/etc/containerd/certs.d/'));
    expect(hosts.map((file) => file.path)).toEqual(
      ['docker.io', 'quay.io', 'registry.k8s.io'].map((registry) => `/etc/containerd/certs.d/${registry}/hosts.toml`),
    );
    for (const file of hosts) expect(file.content).toBe(containerdHostsToml(file.path.split('/')[4]!, MIRROR));
    const config = seed.runcmd.find((command) => Array.isArray(command) && command.join(' ').includes('containerd config default'));
    expect((config as string[])[2]).toBe(
      'containerd config default | sed -e "s/SystemdCgroup = false/SystemdCgroup = true/" -e \'s|config_path = ""|config_path = "/etc/containerd/certs.d"|\' > /etc/containerd/config.toml.nestlab-tmp && ' +
        'mv -f /etc/containerd/config.toml.nestlab-tmp /etc/containerd/config.toml',
    );
    // Without a mirror nothing changes.
    const plain = userData({});
    expect(plain.write_files.some((file) => file.path.includes('certs.d'))).toBe(false);
    expect(JSON.stringify(plain.runcmd)).not.toContain('config_path');
  });

  it("Linux (k3s): registries.yaml, each registry through the mirror under the registry's path", () => {
    const plan = testPlan({ registryMirror: 'https://harbor.lab/proxy', distribution: 'k3s', windowsWorkers: 0 });
    expect(parse(k3sRegistriesYaml(plan) ?? '')).toEqual({
      mirrors: { 'docker.io': { endpoint: ['https://harbor.lab'], rewrite: { '^(.*)$': 'proxy/docker.io/$1' } } },
    });
    const seed = parse(linuxUserData(controlPlane, plan, TEST_PUBLIC_KEY).replace(/^#cloud-config\n/, '')) as {
      write_files: { path: string }[];
    };
    expect(seed.write_files.map((file) => file.path)).toContain('/etc/rancher/k3s/registries.yaml');
    expect(seed.write_files.some((file) => file.path.includes('containerd'))).toBe(false);
  });

  it("Windows: hosts.toml per registry under containerd's folder, config_path set, containerd restarted; nothing without a mirror", () => {
    const script = windowsPrepareScript(testPlan({ registryMirror: MIRROR }));
    for (const registry of ['docker.io', 'mcr.microsoft.com', 'registry.k8s.io']) {
      expect(script).toContain(`$file = Join-Path $containerd 'certs.d\\${registry}\\hosts.toml'`);
      expect(script).toContain(`[host."https://mirror.lab.internal:5000/v2/${registry}"]`);
    }
    expect(script).toContain(
      "$text = (Get-Content -LiteralPath $config) -replace '^(\\s*)config_path = .*$', ('$1config_path = \"' + $certs + '\"')",
    );
    expect(script).toContain("Move-Item -LiteralPath ($config + '.nestlab-tmp') -Destination $config -Force");
    // After containerd is installed, before the join (which pulls the pause image).
    expect(script.indexOf('Restart-Service containerd')).toBeGreaterThan(script.indexOf('Install-Containerd.ps1'));
    expect(windowsPrepareScript(testPlan())).not.toContain('certs.d');
  });

  it('existing machines whose containerd Nestlab installs: the same files, written by the install script as it runs', async () => {
    const plan = testPlan({ registryMirror: 'https://harbor.lab/proxy' });
    const script = kubeadmInstallScript(plan).split('\n');
    // The script's containerd part, run by sh in a folder standing for / (containerd's default
    // configuration stands in as its registry section).
    const from = script.findIndex((line) => line.includes('containerd config default'));
    const to = script.indexOf('swapoff -a');
    // Never more than that part: the rest installs packages and fetches keys on this machine.
    expect(from).toBeGreaterThanOrEqual(0);
    expect(to).toBeGreaterThan(from);
    const part = script.slice(from + 1, to);
    expect(part.join('\n')).not.toMatch(/apt-get|curl|dpkg|systemctl|modprobe/);
    const root = await tempDir('mirror');
    mkdirSync(join(root, 'etc/containerd'), { recursive: true });
    writeFileSync(join(root, 'etc/containerd/config.toml'), '    [plugins."io.containerd.grpc.v1.cri".registry]\n      config_path = ""\n');
    execFileSync('sh', ['-e', '-c', part.join('\n').replaceAll('/etc/', `${root}/etc/`)]);
    for (const { registry } of pulledRegistries(plan, 'linux')) {
      expect(readFileSync(join(root, `etc/containerd/certs.d/${registry}/hosts.toml`), 'utf8')).toBe(
        containerdHostsToml(registry, 'https://harbor.lab/proxy'),
      );
    }
    // (the folder standing for / is in the sed expression too)
    expect(readFileSync(join(root, 'etc/containerd/config.toml'), 'utf8')).toContain(`config_path = "${root}/etc/containerd/certs.d"`);
    expect(kubeadmInstallScript(testPlan())).not.toContain('certs.d');
  });

  it("kubeadm names the control plane's images by their mirror path", () => {
    const config = kubeadmInitConfig(testPlan({ registryMirror: 'https://harbor.lab/proxy' }), controlPlane, '192.168.150.101', []);
    expect(config).toContain('imageRepository: harbor.lab/proxy/registry.k8s.io');
  });
});
