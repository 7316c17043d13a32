/**
 * kubeadm's configuration files, in the API the plan's kubeadm reads (the version table in
 * src/shared/kubernetes-versions.ts): v1beta2 before 1.22, v1beta3 from 1.22, v1beta4 from 1.31.
 * What differs between them for these files: v1beta4 takes extraArgs as a list of {name, value}
 * (v1beta2/3: a map) and moved the wait for the control plane from
 * ClusterConfiguration.apiServer.timeoutForControlPlane to InitConfiguration.timeouts
 * .controlPlaneComponentHealthCheck. v1beta3 dropped fields Nestlab never wrote (useHyperKubeImage,
 * dns.type). Every value goes through the YAML serializer.
 */
import { stringify } from 'yaml';
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { kubernetesVersionRules } from '../../shared/kubernetes-versions';
import type { KubeadmConfigApi } from '../../shared/kubernetes-versions';
import { apiServerSans } from './api-endpoint';
import { mirroredRepository, planMirror } from './registry-mirror';

const LINUX_CRI_SOCKET = 'unix:///run/containerd/containerd.sock';
const WINDOWS_CRI_SOCKET = 'npipe:////./pipe/containerd-containerd';
/**
 * How long kubeadm waits for the control plane's static pods (its default is 4 minutes): lab VMs
 * run nested, often on a busy host, and a control plane in such a VM can take several minutes.
 * Under QEMU software emulation (no KVM) the wait is as long as the driver's boot wait: on the
 * real-libvirt tier at load 12-15, kubeadm's 10 minutes ran out while the kubelet was still
 * starting the first static pods' sandboxes.
 */
export const CONTROL_PLANE_WAIT_MINUTES = 10;

/** The taint Windows workers join with (unless the plan turns it off): only pods that tolerate it land there. */
export const WINDOWS_TAINT = { key: 'os', value: 'windows', effect: 'NoSchedule' } as const;

export function endpointOf(plan: LabPlan): string {
  return `${plan.apiEndpoint.host}:${plan.apiEndpoint.port}`;
}

/** The kubeadm configuration API of the plan's version (plan validation refused versions outside the table). */
export function kubeadmConfigApi(plan: LabPlan): KubeadmConfigApi {
  const rules = kubernetesVersionRules(plan.kubernetesVersion);
  if (rules === undefined) {
    throw new AppError('INVALID_ARGUMENT', `Kubernetes "${plan.kubernetesVersion}" is not a version Nestlab sets up with kubeadm.`, {
      fix: 'Choose one of the offered versions in the plan.',
    });
  }
  return rules.kubeadmConfigApi;
}

/** extraArgs in the API's shape: a map up to v1beta3, a list of {name, value} from v1beta4. */
export function kubeadmExtraArgs(api: KubeadmConfigApi, args: Readonly<Record<string, string>>): unknown {
  if (api !== 'kubeadm.k8s.io/v1beta4') return { ...args };
  return Object.entries(args).map(([name, value]) => ({ name, value }));
}

/** Whether the plan's Windows workers join tainted os=windows:NoSchedule (the default). */
export function taintsWindowsWorkers(plan: LabPlan): boolean {
  return plan.taintWindowsWorkers !== false;
}

/**
 * InitConfiguration + ClusterConfiguration + KubeletConfiguration for the first control plane:
 * the stable endpoint is in the SANs from the start. The kubelet gets the systemd cgroup driver
 * explicitly, as containerd is configured (SystemdCgroup = true): kubeadm only defaults to it from
 * 1.22, and a kubelet on cgroupfs beside such a containerd fails to start pods.
 */
export function kubeadmInitConfig(
  plan: LabPlan,
  machine: LabMachine,
  address: string,
  etcdAddresses: readonly string[] = [],
  hostAddress?: string,
  controlPlaneWaitMinutes = CONTROL_PLANE_WAIT_MINUTES,
): string {
  const wait = `${controlPlaneWaitMinutes}m0s`;
  const apiVersion = kubeadmConfigApi(plan);
  const init: Record<string, unknown> = {
    apiVersion,
    kind: 'InitConfiguration',
    localAPIEndpoint: { advertiseAddress: address, bindPort: 6443 },
    nodeRegistration: { name: machine.name, criSocket: LINUX_CRI_SOCKET },
  };
  // Every name and address clients use: the endpoint, its lab address, the lab host's where HAProxy's port is the way in.
  const apiServer: Record<string, unknown> = { certSANs: apiServerSans(plan, address, hostAddress) };
  if (apiVersion === 'kubeadm.k8s.io/v1beta4') init.timeouts = { controlPlaneComponentHealthCheck: wait };
  else apiServer.timeoutForControlPlane = wait;
  const cluster: Record<string, unknown> = {
    apiVersion,
    kind: 'ClusterConfiguration',
    kubernetesVersion: `v${plan.kubernetesVersion}`,
    clusterName: plan.name,
    controlPlaneEndpoint: endpointOf(plan),
    apiServer,
    networking: { podSubnet: plan.network.podCidr, serviceSubnet: plan.network.serviceCidr },
  };
  // The control plane's images by their mirror name (the layout registry-mirror.ts describes).
  const mirror = planMirror(plan);
  if (mirror !== undefined) cluster.imageRepository = mirroredRepository(mirror, 'registry.k8s.io');
  if (plan.etcd === 'external') cluster.etcd = externalEtcdConfig(etcdAddresses.map((etcdAddress) => ({ address: etcdAddress })));
  const kubelet = { apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', cgroupDriver: 'systemd' };
  return [init, cluster, kubelet].map((document) => stringify(document)).join('---\n');
}

/**
 * A JoinConfiguration (bootstrap token, CA hash, and the certificate key for control planes).
 * Windows workers register tainted os=windows:NoSchedule unless the plan says otherwise.
 */
export function kubeadmJoinConfig(
  plan: LabPlan,
  machine: LabMachine,
  join: { token: string; caCertHash: string; certificateKey?: string },
  address: string,
): string {
  const windows = machine.os === 'windows';
  const config: Record<string, unknown> = {
    apiVersion: kubeadmConfigApi(plan),
    kind: 'JoinConfiguration',
    discovery: { bootstrapToken: { apiServerEndpoint: endpointOf(plan), token: join.token, caCertHashes: [join.caCertHash] } },
    nodeRegistration: {
      name: machine.name,
      criSocket: windows ? WINDOWS_CRI_SOCKET : LINUX_CRI_SOCKET,
      ...(windows && taintsWindowsWorkers(plan) ? { taints: [{ ...WINDOWS_TAINT }] } : {}),
    },
  };
  if (join.certificateKey !== undefined) {
    config.controlPlane = { localAPIEndpoint: { advertiseAddress: address, bindPort: 6443 }, certificateKey: join.certificateKey };
  }
  return stringify(config);
}

const PKI = '/etc/kubernetes/pki';
export const ETCD_CA_CERT = `${PKI}/etcd/ca.crt`;
export const ETCD_CLIENT_CERT = `${PKI}/apiserver-etcd-client.crt`;
export const ETCD_CLIENT_KEY = `${PKI}/apiserver-etcd-client.key`;

/** ClusterConfiguration.etcd for the control planes: the members' client URLs and the client certificate. */
export function externalEtcdConfig(members: readonly { address: string }[]): Record<string, unknown> {
  return {
    external: {
      endpoints: members.map((member) => `https://${member.address}:2379`),
      caFile: ETCD_CA_CERT,
      certFile: ETCD_CLIENT_CERT,
      keyFile: ETCD_CLIENT_KEY,
    },
  };
}

/** An external etcd member's kubeadm config: its certificates' SANs and etcd's flags for a new 3-member cluster. */
export function etcdMemberConfig(plan: LabPlan, members: readonly { name: string; address: string }[], member: string): string {
  const apiVersion = kubeadmConfigApi(plan);
  const self = members.find((candidate) => candidate.name === member) ?? { name: member, address: `<address of ${member}>` };
  const init = {
    apiVersion,
    kind: 'InitConfiguration',
    // containerd's socket: without it kubeadm before 1.24 assumes Docker (and asks `docker info`).
    nodeRegistration: { name: self.name, criSocket: LINUX_CRI_SOCKET },
    localAPIEndpoint: { advertiseAddress: self.address },
  };
  const cluster = {
    apiVersion,
    kind: 'ClusterConfiguration',
    kubernetesVersion: `v${plan.kubernetesVersion}`,
    etcd: {
      local: {
        serverCertSANs: [self.address],
        peerCertSANs: [self.address],
        extraArgs: kubeadmExtraArgs(apiVersion, {
          'initial-cluster': members.map((m) => `${m.name}=https://${m.address}:2380`).join(','),
          'initial-cluster-state': 'new',
          name: self.name,
          'listen-peer-urls': `https://${self.address}:2380`,
          'listen-client-urls': `https://${self.address}:2379`,
          'advertise-client-urls': `https://${self.address}:2379`,
          'initial-advertise-peer-urls': `https://${self.address}:2380`,
        }),
      },
    },
  };
  return `${stringify(init)}---\n${stringify(cluster)}`;
}

/**
 * The kubelet drop-in that makes the kubelet on an etcd VM run only etcd's static pod (upstream
 * "HA etcd with kubeadm" guide), with --container-runtime=remote where the version's kubelet
 * still defaults to its built-in Docker shim (the version table's kubeletDockershim).
 */
export function etcdKubeletDropIn(plan: LabPlan): string {
  const runtime = kubernetesVersionRules(plan.kubernetesVersion)?.kubeletDockershim === true ? ' --container-runtime=remote' : '';
  return [
    '[Service]',
    'ExecStart=',
    `ExecStart=/usr/bin/kubelet --address=127.0.0.1 --pod-manifest-path=/etc/kubernetes/manifests --cgroup-driver=systemd${runtime} --container-runtime-endpoint=${LINUX_CRI_SOCKET}`,
    'Restart=always',
    '',
  ].join('\n');
}
