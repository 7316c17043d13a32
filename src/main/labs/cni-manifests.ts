/**
 * What the lab's CNI is installed from: the upstream manifests of a pinned release (or their
 * copies in the offline bundle's manifests/ folder), and the resources Nestlab generates from the
 * plan so pods get addresses from the plan's pod range: the Calico operator's Installation (never
 * the upstream custom-resources.yaml, whose pool 192.168.0.0/16 would contain most lab networks)
 * and flannel's net-conf.json. Pure: bootstrap.ts applies them.
 */
import { stringify } from 'yaml';
import type { LabPlan } from '../../shared/contract/labs';

export const FLANNEL_VERSION = 'v0.26.1';
export const CALICO_VERSION = 'v3.29.1';
const SIG_WINDOWS = 'https://raw.githubusercontent.com/kubernetes-sigs/sig-windows-tools/master/hostprocess';

/** Where the bundle's copies of the upstream manifests are on a VM. */
const BUNDLE_MANIFESTS = '/opt/nestlab/bundle/manifests';

/** A manifest from upstream: its URL, or its file in the offline bundle. */
function source(plan: LabPlan, url: string, file: string): string {
  return plan.offlineBundle === undefined ? url : `${BUNDLE_MANIFESTS}/${file}`;
}

/** The upstream manifests of the plan's CNI (Linux part), and the Windows part when the lab has Windows workers. */
export function cniManifests(plan: LabPlan, windows: boolean): string[] {
  if (plan.cni === 'flannel') {
    const manifests = [
      source(plan, `https://github.com/flannel-io/flannel/releases/download/${FLANNEL_VERSION}/kube-flannel.yml`, 'kube-flannel.yml'),
    ];
    if (windows) {
      manifests.push(
        source(plan, `${SIG_WINDOWS}/flannel/flanneld/flannel-overlay.yml`, 'flannel-overlay.yml'),
        source(plan, `${SIG_WINDOWS}/flannel/kube-proxy/kube-proxy.yml`, 'kube-proxy-windows.yml'),
      );
    }
    return manifests;
  }
  const manifests = [
    source(
      plan,
      `https://raw.githubusercontent.com/projectcalico/calico/${CALICO_VERSION}/manifests/tigera-operator.yaml`,
      'tigera-operator.yaml',
    ),
  ];
  if (windows) manifests.push(source(plan, `${SIG_WINDOWS}/calico/kube-proxy/kube-proxy.yml`, 'kube-proxy-windows.yml'));
  return manifests;
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
