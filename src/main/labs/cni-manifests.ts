/**
 * What the lab's CNI is installed from: the upstream manifests of a pinned release (or their
 * copies in the offline bundle's manifests/ folder), and the resources Nestlab generates from the
 * plan so pods get addresses from the plan's pod range: the Calico operator's Installation (never
 * the upstream custom-resources.yaml, whose pool 192.168.0.0/16 would contain most lab networks)
 * and flannel's net-conf.json. Pure: cni-step.ts applies them.
 */
import { stringify } from 'yaml';
import type { LabPlan } from '../../shared/contract/labs';
import { WINDOWS_CNI_MANIFESTS } from './pinned-scripts';
import type { PinnedScript } from './pinned-scripts';

export const FLANNEL_VERSION = 'v0.26.1';
export const CALICO_VERSION = 'v3.29.1';

/** Where the bundle's copies of the upstream manifests are on a VM. */
const BUNDLE_MANIFESTS = '/opt/nestlab/bundle/manifests';

/** A manifest from upstream: its URL, or its file in the offline bundle. */
function source(plan: LabPlan, url: string, file: string): string {
  return plan.offlineBundle === undefined ? url : `${BUNDLE_MANIFESTS}/${file}`;
}

/** The upstream manifest of each network plugin at its pinned release, and its file name in the bundle's manifests/. */
export const CNI_MANIFESTS = {
  flannel: { url: `https://github.com/flannel-io/flannel/releases/download/${FLANNEL_VERSION}/kube-flannel.yml`, file: 'kube-flannel.yml' },
  calico: {
    url: `https://raw.githubusercontent.com/projectcalico/calico/${CALICO_VERSION}/manifests/tigera-operator.yaml`,
    file: 'tigera-operator.yaml',
  },
} as const;

/**
 * What the Tigera operator of CALICO_VERSION deploys for the Installation and APIServer Nestlab
 * applies on Linux nodes: its own manifest names only the operator's image, so an offline bundle
 * carries these beside it.
 */
export const CALICO_OPERATOR_IMAGES: readonly string[] = [
  'node',
  'cni',
  'pod2daemon-flexvol',
  'kube-controllers',
  'typha',
  'csi',
  'node-driver-registrar',
  'apiserver',
].map((name) => `docker.io/calico/${name}:${CALICO_VERSION}`);

/** The upstream manifests of the plan's CNI (Linux part): URLs of pinned releases, or bundle files. */
export function cniManifests(plan: LabPlan): string[] {
  // The bundle's cni/ is installed on the nodes with the bundle: nothing to apply.
  if (plan.cni === 'bundle') return [];
  const manifest = CNI_MANIFESTS[plan.cni];
  return [source(plan, manifest.url, manifest.file)];
}

/** A text in a manifest and what replaces it before the manifest is applied. */
export interface Substitution {
  placeholder: string;
  value: string;
}

/** A Windows CNI manifest: fetched (or read from the bundle), checked, its placeholders replaced, then applied. */
export interface WindowsCniManifest {
  /** The pinned upstream file (URL at a commit, optional SHA-256). */
  pinned: PinnedScript;
  /** Where it is read from: the pinned URL, or its copy in the offline bundle. */
  source: string;
  substitutions: Substitution[];
}

/**
 * The Windows part of the plan's CNI (sig-windows-tools' hostProcess DaemonSets), with the image
 * tags upstream's docs have users put in with sed: flannel's the version of the Linux flannel
 * Nestlab applies, kube-proxy's the plan's Kubernetes version.
 */
export function windowsCniManifests(plan: LabPlan): WindowsCniManifest[] {
  const kubeProxyVersion = `v${plan.kubernetesVersion}`;
  const entry = (pinned: PinnedScript, file: string, substitutions: Substitution[]): WindowsCniManifest => ({
    pinned,
    source: source(plan, pinned.url, file),
    substitutions,
  });
  // Plan validation refuses Windows workers with the bundle's (Linux) cni/.
  if (plan.cni === 'bundle') return [];
  if (plan.cni === 'flannel') {
    return [
      entry(WINDOWS_CNI_MANIFESTS.flannelOverlay, 'flannel-overlay.yml', [{ placeholder: 'FLANNEL_VERSION', value: FLANNEL_VERSION }]),
      entry(WINDOWS_CNI_MANIFESTS.flannelKubeProxy, 'kube-proxy-windows.yml', [
        { placeholder: 'KUBE_PROXY_VERSION', value: kubeProxyVersion },
      ]),
    ];
  }
  return [
    entry(WINDOWS_CNI_MANIFESTS.calicoKubeProxy, 'kube-proxy-windows.yml', [
      {
        placeholder: 'sigwindowstools/kube-proxy:v1.21.1-calico-hostprocess',
        value: `sigwindowstools/kube-proxy:${kubeProxyVersion}-calico-hostprocess`,
      },
    ]),
  ];
}

/**
 * The Calico operator's Installation and APIServer for the plan: one IPv4 pool that is exactly the
 * plan's pod range (kubeadm's podSubnet, k3s' --cluster-cidr). Windows nodes take VXLAN only and
 * the HNS dataplane, which needs the service range and BGP off (Calico's "Install Calico for
 * Windows" with the operator).
 */
export function calicoResources(plan: LabPlan, windows: boolean): string {
  const pool = {
    name: 'default-ipv4-ippool',
    cidr: plan.network.podCidr,
    blockSize: 26,
    encapsulation: windows ? 'VXLAN' : 'VXLANCrossSubnet',
    natOutgoing: 'Enabled',
    nodeSelector: 'all()',
  };
  const installation = {
    apiVersion: 'operator.tigera.io/v1',
    kind: 'Installation',
    metadata: { name: 'default' },
    spec: {
      calicoNetwork: windows ? { bgp: 'Disabled', windowsDataplane: 'HNS', ipPools: [pool] } : { ipPools: [pool] },
      ...(windows ? { serviceCIDRs: [plan.network.serviceCidr] } : {}),
    },
  };
  const apiServer = { apiVersion: 'operator.tigera.io/v1', kind: 'APIServer', metadata: { name: 'default' }, spec: {} };
  return `${stringify(installation)}---\n${stringify(apiServer)}`;
}

/**
 * flannel's net-conf.json for the plan: the pod range as its Network, VXLAN; with Windows workers
 * the VNI and port Windows nodes require (4096 / 4789).
 */
export function flannelNetConf(plan: LabPlan, windows: boolean): string {
  return JSON.stringify({
    Network: plan.network.podCidr,
    Backend: windows ? { Type: 'vxlan', VNI: 4096, Port: 4789 } : { Type: 'vxlan' },
  });
}
