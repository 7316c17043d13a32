/**
 * The admin kubeconfig a real `kubeadm init` writes (/etc/kubernetes/admin.conf), for the
 * control plane of the test harness: cluster "kubernetes" with the CA embedded, user
 * "kubernetes-admin" with an embedded client certificate (CN=kubernetes-admin, O=system:masters,
 * signed by the cluster CA, as kubeadm signs it) and its key. k3s writes the same fields into
 * k3s.yaml. The stand-in kubeadm hands this file out as the one it "wrote".
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { signCertificate } from '../certs.js';
import type { ControlPlane } from '../control-plane.js';

/** The CA, client certificate and key of a kubeadm-shaped admin.conf (PEM). */
export interface AdminCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** A client certificate for user kubernetes-admin in group system:masters, signed by the control plane's CA. */
export async function kubeadmAdminCredentials(
  controlPlane: Pick<ControlPlane, 'caCertPath' | 'caKeyPath' | 'caCertPem'>,
): Promise<AdminCredentials> {
  const dir = await mkdtemp(join(tmpdir(), 'nestlab-admin-conf-'));
  try {
    const { certPath, keyPath } = await signCertificate({
      dir,
      name: 'admin',
      caCertPath: controlPlane.caCertPath,
      caKeyPath: controlPlane.caKeyPath,
      commonName: 'kubernetes-admin',
      organization: 'system:masters',
      usage: 'clientAuth',
    });
    return { caPem: controlPlane.caCertPem, certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * admin.conf as kubeadm renders it. `user` adds (or replaces) fields of the user entry, for tests
 * of a hostile first control plane (an exec plugin, a tokenFile).
 */
export function renderAdminConf(server: string, credentials: AdminCredentials, user: Record<string, unknown> = {}): string {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return stringify({
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': b64(credentials.caPem), server }, name: 'kubernetes' }],
    contexts: [{ context: { cluster: 'kubernetes', user: 'kubernetes-admin' }, name: 'kubernetes-admin@kubernetes' }],
    'current-context': 'kubernetes-admin@kubernetes',
    kind: 'Config',
    preferences: {},
    users: [
      {
        name: 'kubernetes-admin',
        user: { 'client-certificate-data': b64(credentials.certPem), 'client-key-data': b64(credentials.keyPem), ...user },
      },
    ],
  });
}
