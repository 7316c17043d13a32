/**
 * The kubelet, kubeadm and kubectl .debs of an offline bundle, built from binaries (a Kubernetes
 * build, or the release binaries of a version) with the upstream packages' units and drop-in, so
 * a bundle can carry versions that no package archive offers (pkgs.k8s.io starts at 1.24).
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The binaries a node bundle packages (kube-proxy runs as a pod from its image). */
export const NODE_BINARIES = ['kubelet', 'kubeadm', 'kubectl'] as const;

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

export interface DebianPackage {
  name: string;
  depends: string;
  description: string;
  files: { path: string; from?: string; content?: string; mode: number }[];
  postinst?: string;
}

/** The kubelet, kubeadm and kubectl packages of `version`, from the binaries in `binDir`. */
export function nodePackages(binDir: string, version: string): DebianPackage[] {
  const bin = binDir;
  return [
    {
      name: 'kubelet',
      // What the upstream kubelet package depends on, as far as Debian 12 ships it.
      depends: 'iptables, iproute2, socat, util-linux, mount, ethtool, ebtables, conntrack',
      description: `Kubernetes node agent ${version}, packaged by Nestlab's bundle builder`,
      files: [
        { path: 'usr/bin/kubelet', from: join(bin, 'kubelet'), mode: 0o755 },
        { path: 'lib/systemd/system/kubelet.service', content: KUBELET_SERVICE, mode: 0o644 },
      ],
      postinst: '#!/bin/sh\nset -e\nsystemctl daemon-reload >/dev/null 2>&1 || true\nsystemctl enable kubelet >/dev/null 2>&1 || true\n',
    },
    {
      name: 'kubeadm',
      depends: 'kubelet, kubectl',
      description: `Kubernetes cluster bootstrapping tool ${version}, packaged by Nestlab's bundle builder`,
      files: [
        { path: 'usr/bin/kubeadm', from: join(bin, 'kubeadm'), mode: 0o755 },
        { path: 'etc/systemd/system/kubelet.service.d/10-kubeadm.conf', content: KUBEADM_DROP_IN, mode: 0o644 },
      ],
      postinst: '#!/bin/sh\nset -e\nsystemctl daemon-reload >/dev/null 2>&1 || true\n',
    },
    {
      name: 'kubectl',
      depends: '',
      description: `Kubernetes command-line client ${version}, packaged by Nestlab's bundle builder`,
      files: [{ path: 'usr/bin/kubectl', from: join(bin, 'kubectl'), mode: 0o755 }],
    },
  ];
}

/** Builds one .deb with dpkg-deb into `outDir` (the Debian tools of the building machine). */
export async function buildDeb(pkg: DebianPackage, version: string, outDir: string, work: string): Promise<string> {
  const root = join(work, pkg.name);
  await mkdir(join(root, 'DEBIAN'), { recursive: true });
  const control = [
    `Package: ${pkg.name}`,
    `Version: ${version}-00`,
    'Architecture: amd64',
    'Maintainer: Nestlab bundle builder <nestlab@localhost>',
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
  const deb = join(outDir, `${pkg.name}_${version}-00_amd64.deb`);
  await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z1', '--build', root, deb]);
  return deb;
}
