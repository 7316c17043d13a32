import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ControlPlaneCertificates } from './certs.js';

/** Where one control plane lives: its folder, ports and certificates. */
export interface ControlPlaneLayout {
  dir: string;
  etcdClientPort: number;
  etcdPeerPort: number;
  apiServerPort: number;
  certs: ControlPlaneCertificates;
}

/** Cluster IPs of Services; the `kubernetes` Service gets 10.96.0.1 (in the serving certificate). */
export const SERVICE_CIDR = '10.96.0.0/16';

/** Bearer tokens of the control plane's identities (see tokenFile for users and groups). */
export interface ControlPlaneTokens {
  admin: string;
  viewer: string;
  simulation: string;
  controllerManager: string;
  scheduler: string;
}

export function newTokens(): ControlPlaneTokens {
  const token = (): string => randomBytes(24).toString('hex');
  return { admin: token(), viewer: token(), simulation: token(), controllerManager: token(), scheduler: token() };
}

export function tokenFilePath(layout: ControlPlaneLayout): string {
  return join(layout.dir, 'tokens.csv');
}

/** token,user,uid,"groups": kube-apiserver's --token-auth-file format. */
export function tokenFile(tokens: ControlPlaneTokens): string {
  return [
    `${tokens.admin},nestlab-admin,nestlab-admin,"system:masters"`,
    `${tokens.viewer},nestlab-viewer,nestlab-viewer,"nestlab:viewers"`,
    `${tokens.simulation},nestlab-simulation,nestlab-simulation,"system:masters"`,
    // Controllers run under the controller-manager's own identity (no per-controller service
    // accounts, which would add a token round-trip to startup), so it needs full rights.
    `${tokens.controllerManager},system:kube-controller-manager,system:kube-controller-manager,"system:masters"`,
    `${tokens.scheduler},system:kube-scheduler,system:kube-scheduler,""`,
    '',
  ].join('\n');
}

export function etcdEndpointOf(layout: ControlPlaneLayout): string {
  return `http://127.0.0.1:${layout.etcdClientPort}`;
}

export function etcdFlags(layout: ControlPlaneLayout): string[] {
  const endpoint = etcdEndpointOf(layout);
  const peer = `http://127.0.0.1:${layout.etcdPeerPort}`;
  return [
    '--name=nestlab',
    `--data-dir=${join(layout.dir, 'etcd')}`,
    `--listen-client-urls=${endpoint}`,
    `--advertise-client-urls=${endpoint}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=nestlab=${peer}`,
    '--logger=zap',
    '--log-level=warn',
  ];
}

export function apiServerFlags(layout: ControlPlaneLayout, extra: readonly string[]): string[] {
  const { certs } = layout;
  return [
    `--etcd-servers=${etcdEndpointOf(layout)}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${layout.apiServerPort}`,
    '--insecure-port=0',
    `--cert-dir=${join(layout.dir, 'apiserver-certs')}`,
    `--tls-cert-file=${certs.apiServerCertPath}`,
    `--tls-private-key-file=${certs.apiServerKeyPath}`,
    `--client-ca-file=${certs.caCertPath}`,
    `--token-auth-file=${tokenFilePath(layout)}`,
    `--service-account-key-file=${certs.serviceAccountPublicKeyPath}`,
    `--service-account-signing-key-file=${certs.serviceAccountKeyPath}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    '--authorization-mode=RBAC',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--allow-privileged=true',
    // The `kubernetes` Service's endpoint would be 127.0.0.1, which Endpoints validation rejects
    // (loopback); without a reconciler the Service simply has no endpoints.
    '--endpoint-reconciler-type=none',
    // Simulated kubelets are reached at their InternalIP (127.0.0.1); their Hostname address is
    // the node name, which does not resolve.
    '--kubelet-preferred-address-types=InternalIP,Hostname',
    '--profiling=false',
    ...extra,
  ];
}

export function controllerManagerFlags(
  layout: ControlPlaneLayout,
  kubeconfigPath: string,
  options: { qps: number; nodeMonitorGracePeriodSeconds: number; extra: readonly string[] },
): string[] {
  return [
    `--kubeconfig=${kubeconfigPath}`,
    // No serving at all: nothing scrapes it, and 10252/10257 would collide between instances.
    '--port=0',
    '--secure-port=0',
    '--leader-elect=false',
    '--use-service-account-credentials=false',
    // The token controller needs the key: without it no service account gets a token and the
    // ServiceAccount admission plugin rejects every pod.
    `--service-account-private-key-file=${layout.certs.serviceAccountKeyPath}`,
    `--root-ca-file=${layout.certs.caCertPath}`,
    // The default 20 qps creates ~19 pods/s; scale fixtures (5,000 pods) need far more.
    `--kube-api-qps=${options.qps}`,
    `--kube-api-burst=${options.qps * 2}`,
    // Failed simulated nodes turn NotReady after ~18 s instead of ~40 s.
    '--node-monitor-period=2s',
    `--node-monitor-grace-period=${options.nodeMonitorGracePeriodSeconds}s`,
    '--pod-eviction-timeout=30s',
    '--profiling=false',
    ...options.extra,
  ];
}

export function schedulerFlags(kubeconfigPath: string, qps: number): string[] {
  return [
    `--kubeconfig=${kubeconfigPath}`,
    // Like the controller-manager: 10251/10259 would collide between instances.
    '--port=0',
    '--secure-port=0',
    '--leader-elect=false',
    `--kube-api-qps=${qps}`,
    `--kube-api-burst=${qps * 2}`,
    '--profiling=false',
  ];
}
