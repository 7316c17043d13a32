/**
 * The lab's kubeconfig, built from the admin kubeconfig that kubeadm (admin.conf) or k3s
 * (k3s.yaml) wrote on the first control plane. That file comes from a machine root on the lab
 * controls, so it is data, never instructions: only the CA certificate, the client certificate and
 * the client key are taken from it (kubeadm and k3s write exactly these, embedded). An exec or
 * auth-provider plugin would run a program on this computer, a tokenFile or a certificate path
 * would read a local file and send it to the endpoint, a proxy-url would route the connection:
 * a fetched kubeconfig with any of them is refused, never passed to a kubeconfig loader.
 */
import { parse, stringify } from 'yaml';
import type { ApiEndpoint } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import type { ConnectionTarget } from '../kube/connection-target';

/** The parts of a fetched admin kubeconfig that the lab keeps, decoded (PEM). */
export interface LabCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** What the lab saves and how it connects: the kubeconfig text and the same values as a request target. */
export interface LabKubeconfig {
  kubeconfig: string;
  target: ConnectionTarget;
}

const CLUSTER_FIELDS = new Set(['server', 'certificate-authority-data']);
const USER_FIELDS = new Set(['client-certificate-data', 'client-key-data']);

/** Why a field of a fetched kubeconfig is refused, for the error message. */
function whyRefused(field: string): string {
  if (field === 'exec' || field === 'auth-provider') return 'it would run a program on this computer';
  if (field === 'tokenFile' || field === 'client-certificate' || field === 'client-key' || field === 'certificate-authority') {
    return 'it names a file on this computer';
  }
  if (field === 'proxy-url') return 'it routes the connection through another server';
  if (field === 'insecure-skip-tls-verify') return "it turns off the check of the server's certificate";
  return 'kubeadm and k3s do not write it';
}

function fail(message: string): never {
  throw new AppError('INVALID_INPUT', `The kubeconfig fetched from the first control plane ${message}`, {
    fix: 'Check the first control plane: /etc/kubernetes/admin.conf (kubeadm) or /etc/rancher/k3s/k3s.yaml (k3s) should be the one the tool wrote. Restore it (kubeadm init phase kubeconfig admin), then resume.',
  });
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Base64 field -> PEM text of the expected kind, or a clear refusal. */
function pem(value: unknown, field: string, kind: RegExp): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/=\s]+$/.test(value)) fail(`has no base64 ${field}.`);
  const text = Buffer.from(value, 'base64').toString('utf8');
  if (!kind.test(text)) fail(`has a ${field} that is not a PEM ${kind === CERTIFICATE ? 'certificate' : 'private key'}.`);
  return text;
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+-----END (?:RSA |EC )?PRIVATE KEY-----/;

/**
 * Reads the CA, client certificate and client key of a fetched admin kubeconfig (one cluster,
 * one user, everything embedded). Any other way of authenticating or reaching the server is
 * refused, naming every offending field at once.
 *
 * @throws AppError INVALID_INPUT naming the problem and the fix.
 */
export function labCredentials(text: string): LabCredentials {
  let config: Record<string, unknown> | undefined;
  try {
    config = record(parse(text, { maxAliasCount: 0 }));
  } catch {
    fail('is not YAML.');
  }
  const clusters = config?.clusters;
  const users = config?.users;
  if (!Array.isArray(clusters) || !Array.isArray(users) || clusters.length !== 1 || users.length !== 1) {
    fail('does not have exactly one cluster and one user.');
  }
  const cluster = record(record(clusters[0])?.cluster);
  const user = record(record(users[0])?.user);
  if (cluster === undefined || user === undefined) fail('does not have exactly one cluster and one user.');
  const refused = [
    ...Object.keys(cluster)
      .filter((field) => !CLUSTER_FIELDS.has(field))
      .map((field) => `cluster field "${field}" (${whyRefused(field)})`),
    ...Object.keys(user)
      .filter((field) => !USER_FIELDS.has(field))
      .map((field) => `user field "${field}" (${whyRefused(field)})`),
  ];
  if (refused.length > 0) {
    fail(
      `is refused: Nestlab takes only embedded certificates and keys from it, and it has ${refused.join(', ')}. Nothing was run or read.`,
    );
  }
  return {
    caPem: pem(cluster['certificate-authority-data'], 'certificate-authority-data', CERTIFICATE),
    certPem: pem(user['client-certificate-data'], 'client-certificate-data', CERTIFICATE),
    keyPem: pem(user['client-key-data'], 'client-key-data', PRIVATE_KEY),
  };
}

/**
 * The lab's kubeconfig: one cluster, user and context named after the lab, the server the stable
 * endpoint, the lab host's HAProxy port or an SSH tunnel's 127.0.0.1 port with `tlsServerName`
 * (kubeadm writes the endpoint it was given, k3s https://127.0.0.1:6443), and only the
 * embedded CA, client certificate and key of the fetched one. Built as YAML, never edited as text.
 *
 * @throws AppError INVALID_INPUT when the fetched text is refused (see {@link labCredentials}).
 */
export function labKubeconfig(fetched: string, lab: string, endpoint: ApiEndpoint, tlsServerName?: string): LabKubeconfig {
  const credentials = labCredentials(fetched);
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const server = `https://${host}:${endpoint.port}`;
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  // Through a tunnel the server is 127.0.0.1: the certificate is checked against the endpoint name instead.
  const serverName = tlsServerName === undefined ? {} : { 'tls-server-name': tlsServerName };
  const kubeconfig = stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: lab, cluster: { server, ...serverName, 'certificate-authority-data': base64(credentials.caPem) } }],
    users: [
      {
        name: lab,
        user: { 'client-certificate-data': base64(credentials.certPem), 'client-key-data': base64(credentials.keyPem) },
      },
    ],
    contexts: [{ name: lab, context: { cluster: lab, user: lab } }],
    'current-context': lab,
    preferences: {},
  });
  return {
    kubeconfig,
    target: {
      server,
      ca: credentials.caPem,
      cert: credentials.certPem,
      key: credentials.keyPem,
      insecureSkipTlsVerify: false,
      ...(tlsServerName === undefined ? {} : { tlsServerName }),
    },
  };
}
