/**
 * Scripts that lab machines download and run as root (Linux) or Administrator (Windows) when the
 * plan has no offline bundle. Each URL names a git commit (raw.githubusercontent.com serves a
 * path at a commit, and a commit id is the hash of its tree), never a branch or a tag, which
 * their owners can move: what runs is the file at that commit.
 *
 * The machine computes the SHA-256 of what it fetched and the lab log records it. Where a
 * checksum below is set (by someone who fetched the file at that commit and checked it), a file
 * with another checksum is refused before it runs. None is set yet: they cannot be computed
 * without the internet, and a made-up one would refuse the real file. An offline bundle is the
 * way to run only files the user checked.
 */

/** A script fetched onto a lab machine and run with full rights. */
export interface PinnedScript {
  /** File name on the machine and in the lab log. */
  name: string;
  /** raw.githubusercontent.com/<owner>/<repo>/<40-hex commit>/<path>. */
  url: string;
  /** Lower-case hex SHA-256 of the file at that commit; undefined while nobody has checked it. */
  sha256?: string;
}

const rawAtCommit = (repository: string, commit: string, path: string) =>
  `https://raw.githubusercontent.com/${repository}/${commit}/${path}`;

/**
 * sig-windows-tools' Windows node scripts. Install-Containerd.ps1 at this commit takes
 * -ContainerDVersion and installs crictl (which kubeadm join needs); PrepareNode.ps1 takes
 * -KubernetesVersion (with or without the v) and sets the kubelet flags per version (1.24, 1.26).
 */
export const WINDOWS_NODE_SCRIPTS = {
  installContainerd: {
    name: 'Install-Containerd.ps1',
    url: rawAtCommit('kubernetes-sigs/sig-windows-tools', '03dbf15c28a0e13fe1caf8a398a73a3f061cfdc3', 'hostprocess/Install-Containerd.ps1'),
  },
  prepareNode: {
    name: 'PrepareNode.ps1',
    url: rawAtCommit('kubernetes-sigs/sig-windows-tools', '30b5f0d0b8b5ebb12b678448f1f651892745c9c8', 'hostprocess/PrepareNode.ps1'),
  },
} as const satisfies Record<string, PinnedScript>;

/**
 * sig-windows-tools' hostProcess DaemonSets for Windows workers (they run as SYSTEM on every
 * Windows node). Upstream's docs apply them with sed: the files name their image tags with
 * placeholders (FLANNEL_VERSION, KUBE_PROXY_VERSION) or, for Calico's kube-proxy at this commit, a
 * fixed v1.21.1 tag; cni-step.ts replaces them (see windowsCniManifests in cni-manifests.ts).
 */
export const WINDOWS_CNI_MANIFESTS = {
  flannelOverlay: {
    name: 'flannel-overlay.yml',
    url: rawAtCommit(
      'kubernetes-sigs/sig-windows-tools',
      '06efd117064e1cf8e2afd054c82d58d176883101',
      'hostprocess/flannel/flanneld/flannel-overlay.yml',
    ),
  },
  flannelKubeProxy: {
    name: 'flannel kube-proxy.yml',
    url: rawAtCommit(
      'kubernetes-sigs/sig-windows-tools',
      '98215f415740bdfd0297b063d254c98fb9321991',
      'hostprocess/flannel/kube-proxy/kube-proxy.yml',
    ),
  },
  calicoKubeProxy: {
    name: 'calico kube-proxy.yml',
    url: rawAtCommit(
      'kubernetes-sigs/sig-windows-tools',
      'c9be1f0a9e95a34fda91bb7e8fc519e3447d8d93',
      'hostprocess/calico/kube-proxy/kube-proxy.yml',
    ),
  },
} as const satisfies Record<string, PinnedScript>;

/**
 * k3s' install script. One script serves every k3s release (get.k3s.io serves the newest for all):
 * it installs the release INSTALL_K3S_VERSION names and checks that binary against the release's
 * sha256sum file, or installs nothing with INSTALL_K3S_SKIP_DOWNLOAD=true.
 */
export const K3S_INSTALL_SCRIPT: PinnedScript = {
  name: 'k3s install.sh',
  url: rawAtCommit('k3s-io/k3s', '0136cf258954a458da1404858396342724b93d24', 'install.sh'),
};

/** What the lab log and errors say about a download that an offline bundle would avoid. */
export const OFFLINE_BUNDLE_ADVICE =
  'An offline bundle avoids the download: the machines then run the copies in the bundle, which you can check before a lab uses them.';
