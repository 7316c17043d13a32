/**
 * The one Kubernetes version table: which versions the plan form offers and, per minor version,
 * what a lab of that version gets: the kubeadm configuration API, where kubeadm labs install
 * kubelet, kubeadm and kubectl from, whether Windows workers can join and whether k3s has
 * releases of it. The plan form, the plan validation and the bootstrap read it; no version rule
 * lives anywhere else.
 */

/** The kubeadm configuration API a kubeadm release reads (and Nestlab writes). */
export type KubeadmConfigApi = 'kubeadm.k8s.io/v1beta2' | 'kubeadm.k8s.io/v1beta3' | 'kubeadm.k8s.io/v1beta4';

/** Where a kubeadm lab's kubelet, kubeadm and kubectl come from. */
export type KubernetesInstallSource =
  /** The community package repository pkgs.k8s.io (or an offline bundle, when the plan has one). */
  | 'packages'
  /** Only an offline bundle: pkgs.k8s.io has no packages of this minor version. */
  | 'bundle';

/** What one range of minor versions allows (a row of the table). */
export interface KubernetesVersionRow {
  /** The first minor version (1.<fromMinor>) the row applies to; it ends where the next row starts. */
  fromMinor: number;
  kubeadmConfigApi: KubeadmConfigApi;
  installSource: KubernetesInstallSource;
  /** Windows workers can join (kubeadm labs). */
  windowsWorkers: boolean;
  /**
   * The kubelet still has the built-in Docker shim (before 1.24): it talks to containerd only
   * with --container-runtime=remote (a flag 1.27 removed).
   */
  kubeletDockershim: boolean;
  /** k3s publishes releases of these versions (its install script brings the binary; no package repository). */
  k3s: boolean;
}

/** The oldest minor version Nestlab sets up (kubeadm's v1beta2 configuration, the seed scenarios' 1.19). */
export const OLDEST_KUBERNETES_MINOR = 19;

/**
 * The table, oldest first. Sources: kubeadm's configuration API reference (v1beta3 is read from
 * 1.22, v1beta4 from 1.31; kubeadm 1.22+ no longer reads v1beta1, 1.26+ no longer v1beta2),
 * the pkgs.k8s.io announcement (the community repository has v1.24 and newer; the old
 * apt.kubernetes.io repository is gone), and the sig-windows-tools hostprocess guide Windows
 * workers follow (flannel and kube-proxy run as HostProcess containers, on by default from 1.23).
 */
export const KUBERNETES_VERSION_TABLE: readonly KubernetesVersionRow[] = [
  {
    fromMinor: 19,
    kubeadmConfigApi: 'kubeadm.k8s.io/v1beta2',
    installSource: 'bundle',
    windowsWorkers: false,
    kubeletDockershim: true,
    k3s: true,
  },
  {
    fromMinor: 22,
    kubeadmConfigApi: 'kubeadm.k8s.io/v1beta3',
    installSource: 'bundle',
    windowsWorkers: false,
    kubeletDockershim: true,
    k3s: true,
  },
  {
    fromMinor: 23,
    kubeadmConfigApi: 'kubeadm.k8s.io/v1beta3',
    installSource: 'bundle',
    windowsWorkers: true,
    kubeletDockershim: true,
    k3s: true,
  },
  {
    fromMinor: 24,
    kubeadmConfigApi: 'kubeadm.k8s.io/v1beta3',
    installSource: 'packages',
    windowsWorkers: true,
    kubeletDockershim: false,
    k3s: true,
  },
  {
    fromMinor: 31,
    kubeadmConfigApi: 'kubeadm.k8s.io/v1beta4',
    installSource: 'packages',
    windowsWorkers: true,
    kubeletDockershim: false,
    k3s: true,
  },
];

/** The first minor version of pkgs.k8s.io, and of Windows workers (from the table). */
export const PACKAGES_FROM_MINOR = firstMinor((row) => row.installSource === 'packages');
export const WINDOWS_WORKERS_FROM_MINOR = firstMinor((row) => row.windowsWorkers);

function firstMinor(test: (row: KubernetesVersionRow) => boolean): number {
  return KUBERNETES_VERSION_TABLE.find(test)?.fromMinor ?? Number.POSITIVE_INFINITY;
}

/**
 * The versions the plan form offers, newest first (any other x.y.z of a supported minor works
 * too). 1.20.2 is the release Debian packages (the real-VM tests build it); 1.19 and 1.20 install
 * from an offline bundle only.
 */
export const OFFERED_KUBERNETES_VERSIONS = ['1.31.4', '1.30.8', '1.29.12', '1.28.15', '1.20.2', '1.19.16'] as const;

/** The version a new plan starts with. */
export const DEFAULT_KUBERNETES_VERSION: (typeof OFFERED_KUBERNETES_VERSIONS)[number] = '1.30.8';

/** A version's rules: its row of the table, with the version it was asked for. */
export interface KubernetesVersionRules extends KubernetesVersionRow {
  /** x.y.z as given. */
  version: string;
  /** x.y, e.g. "1.20". */
  minorVersion: string;
}

/** Why a text is not a version Nestlab can set up: a value, for the form and the validation alike. */
export type KubernetesVersionLookup =
  | { status: 'ok'; rules: KubernetesVersionRules }
  | { status: 'malformed'; version: string }
  | { status: 'too-old'; version: string; minorVersion: string };

const versionPattern = /^(\d+)\.(\d+)\.(\d+)$/;

/** Looks a version (x.y.z) up in the table. */
export function lookUpKubernetesVersion(version: string): KubernetesVersionLookup {
  const match = versionPattern.exec(version);
  if (!match) return { status: 'malformed', version };
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const minorVersion = `${major}.${minor}`;
  if (major !== 1) return { status: 'malformed', version };
  if (minor < OLDEST_KUBERNETES_MINOR) return { status: 'too-old', version, minorVersion };
  const row = [...KUBERNETES_VERSION_TABLE].reverse().find((candidate) => candidate.fromMinor <= minor)!;
  return { status: 'ok', rules: { ...row, version, minorVersion } };
}

/** The rules of a version, or undefined when it is no version Nestlab sets up. */
export function kubernetesVersionRules(version: string): KubernetesVersionRules | undefined {
  const lookup = lookUpKubernetesVersion(version);
  return lookup.status === 'ok' ? lookup.rules : undefined;
}

/** The minor version's folder of the community package repository (Debian packages). */
export function kubernetesPackageRepository(version: string): string {
  const minor = version.split('.').slice(0, 2).join('.');
  return `https://pkgs.k8s.io/core:/stable:/v${minor}/deb/`;
}

/** The kubeadm configuration API in short, e.g. "v1beta2". */
export function shortConfigApi(api: KubeadmConfigApi): string {
  return api.slice('kubeadm.k8s.io/'.length);
}

/** What a version allows, in words, for the plan form's hints (one sentence each). */
export function describeKubernetesVersion(
  rules: KubernetesVersionRules,
  distribution: 'kubeadm' | 'k3s',
): { install: string; windows: string; configApi?: string } {
  if (distribution === 'k3s') {
    return {
      install: rules.k3s
        ? `k3s ${rules.minorVersion}: its install script brings the release (or the offline bundle does).`
        : `k3s has no ${rules.minorVersion} release.`,
      windows: 'Windows workers: not with k3s (its agent is Linux-only).',
    };
  }
  return {
    install:
      rules.installSource === 'packages'
        ? `Installs from pkgs.k8s.io, or from an offline bundle.`
        : `Needs an offline bundle: pkgs.k8s.io has 1.${PACKAGES_FROM_MINOR} and newer only.`,
    windows: rules.windowsWorkers
      ? 'Windows workers: allowed.'
      : `Windows workers: not with ${rules.minorVersion} (they need 1.${WINDOWS_WORKERS_FROM_MINOR} or newer).`,
    configApi: `kubeadm configuration: ${shortConfigApi(rules.kubeadmConfigApi)}.`,
  };
}
