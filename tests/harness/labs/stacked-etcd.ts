/**
 * SIMULATION: kubeadm's stacked etcd on a stand-in control plane, with a real etcd. Writes what
 * `kubeadm init` would leave in the VM's folder for etcd (the etcd CA, etcd's serving
 * certificate, the API server's etcd client certificate, the etcd and kube-apiserver static pod
 * manifests with their --etcd-* flags) and runs etcd as that static pod (static-pod-etcd.ts):
 * TLS with client certificates on a free loopback port, as the test user. Nestlab's commands in
 * the VM then reach it with Debian's real etcdctl.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signCertificate } from '../certs.js';
import { getFreePorts } from '../free-port.js';
import { TEST_UID } from '../ssh/simulated-host-files';
import { waitFor } from '../wait-for.js';
import { startEtcdStaticPod } from './static-pod-etcd';
import type { EtcdStaticPod } from './static-pod-etcd';

const run = promisify(execFile);

export interface StackedEtcd {
  pod: EtcdStaticPod;
  clientPort: number;
  /** The API server's etcd client key as written in the VM (tests check it never reaches a log). */
  clientKeyPem: string;
  /** The test's own etcdctl (outside the lab) with the same client certificate; its stdout. */
  etcdctl(...args: string[]): Promise<string>;
  /** Keys under /registry/, sorted. */
  keys(): Promise<string[]>;
  stop(): Promise<void>;
}

function etcdManifest(member: string, clientPort: number, peerPort: number): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=https://127.0.0.1:${clientPort}
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --client-cert-auth=true
    - --data-dir=/var/lib/etcd
    - --initial-advertise-peer-urls=http://127.0.0.1:${peerPort}
    - --initial-cluster=${member}=http://127.0.0.1:${peerPort}
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --listen-client-urls=https://127.0.0.1:${clientPort}
    - --listen-peer-urls=http://127.0.0.1:${peerPort}
    - --name=${member}
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    image: registry.k8s.io/etcd:3.5.15-0
    name: etcd
`;
}

function apiServerManifest(clientPort: number): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-apiserver
    - --advertise-address=127.0.0.1
    - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
    - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
    - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
    - --etcd-servers=https://127.0.0.1:${clientPort}
    image: registry.k8s.io/kube-apiserver:v1.30.8
    name: kube-apiserver
`;
}

async function writeOwned(path: string, content: string, mode: number): Promise<void> {
  await writeFile(path, content, { mode });
  await chmod(path, mode);
  await chown(path, TEST_UID, TEST_UID);
}

/** `vmRoot`: the stand-in VM's folder ($NESTLAB_SIM_DIR/vms/<vm>); `member`: the VM's name (etcd's --name). */
export async function startStackedEtcd(vmRoot: string, member: string): Promise<StackedEtcd> {
  const [clientPort = 0, peerPort = 0] = await getFreePorts(2);
  const certDir = await mkdtemp(join(tmpdir(), 'nestlab-etcd-certs-'));
  const caKey = join(certDir, 'ca.key');
  const caCert = join(certDir, 'ca.crt');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', caKey, '-out', caCert, '-days', '1', '-subj', '/CN=etcd-ca']);
  const sign = { dir: certDir, caCertPath: caCert, caKeyPath: caKey };
  await signCertificate({ ...sign, name: 'server', commonName: member, sans: ['IP:127.0.0.1', 'DNS:localhost'], usage: 'serverAuth' });
  await signCertificate({ ...sign, name: 'client', commonName: 'kube-apiserver-etcd-client', usage: 'clientAuth' });
  const kubernetes = join(vmRoot, 'etc', 'kubernetes');
  const pki = join(kubernetes, 'pki');
  for (const dir of [join(pki, 'etcd'), join(kubernetes, 'manifests'), join(vmRoot, 'var', 'lib')]) await mkdir(dir, { recursive: true });
  const files: [string, string, number][] = [
    [join(pki, 'etcd', 'ca.crt'), caCert, 0o644],
    [join(pki, 'etcd', 'server.crt'), join(certDir, 'server.crt'), 0o644],
    [join(pki, 'etcd', 'server.key'), join(certDir, 'server.key'), 0o600],
    [join(pki, 'apiserver-etcd-client.crt'), join(certDir, 'client.crt'), 0o644],
    [join(pki, 'apiserver-etcd-client.key'), join(certDir, 'client.key'), 0o600],
  ];
  for (const [target, source, mode] of files) await writeOwned(target, await readFile(source, 'utf8'), mode);
  // The VM's commands run as the test user (the stand-in sudo does not change user).
  await run('chown', ['-R', `${TEST_UID}:${TEST_UID}`, join(vmRoot, 'etc'), join(vmRoot, 'var')]);
  await writeOwned(join(kubernetes, 'manifests', 'kube-apiserver.yaml'), apiServerManifest(clientPort), 0o600);
  const log: string[] = [];
  const pod = startEtcdStaticPod(vmRoot, (line) => log.push(line));
  await writeOwned(join(kubernetes, 'manifests', 'etcd.yaml'), etcdManifest(member, clientPort, peerPort), 0o600);
  const etcdctl = async (...args: string[]) =>
    (
      await run('etcdctl', [
        ...['--endpoints', `https://127.0.0.1:${clientPort}`, '--cacert', caCert],
        ...['--cert', join(certDir, 'client.crt'), '--key', join(certDir, 'client.key'), ...args],
      ])
    ).stdout;
  // etcdctl says "is healthy" on stderr: its exit code is the answer.
  await waitFor(
    () =>
      etcdctl('endpoint', 'health').then(
        () => true,
        () => undefined,
      ),
    { timeout: 30_000, interval: 100, description: 'etcd on the stand-in control plane' },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${log.slice(-20).join('\n')}`, { cause: error });
  });
  return {
    pod,
    clientPort,
    clientKeyPem: await readFile(join(certDir, 'client.key'), 'utf8'),
    etcdctl,
    keys: async () =>
      (await etcdctl('get', '/registry/', '--prefix', '--keys-only'))
        .split('\n')
        .filter((line) => line !== '')
        .sort(),
    stop: async () => {
      await pod.stop();
      await rm(certDir, { recursive: true, force: true });
    },
  };
}
