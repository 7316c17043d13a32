import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Subject alternative names of the API server's serving certificate.
 *
 * `localhost` and `::1` are left out on purpose: `https://localhost:<port>` reaches the same
 * API server (loopback) but does not match the certificate, which is how tests provoke a
 * "wrong SAN" diagnosis. Everything that must verify uses `https://127.0.0.1:<port>`.
 */
export const API_SERVER_SANS = [
  'IP:127.0.0.1',
  'IP:10.96.0.1', // the `kubernetes` Service's cluster IP (first address of --service-cluster-ip-range)
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
] as const;

/** Files written by {@link generateControlPlaneCertificates}, all PEM. */
export interface ControlPlaneCertificates {
  caCertPath: string;
  /** Kept so tests can sign further certificates (client certificates for kubeconfigs). */
  caKeyPath: string;
  caCertPem: string;
  apiServerCertPath: string;
  apiServerKeyPath: string;
  /** RSA key pair that signs and verifies service-account tokens. */
  serviceAccountKeyPath: string;
  serviceAccountPublicKeyPath: string;
}

const CA_CONFIG = `[req]
distinguished_name = dn
x509_extensions = v3_ca
prompt = no
[dn]
CN = nestlab-test-ca
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
`;

function leafExtensions(sans: readonly string[], usage: 'serverAuth' | 'clientAuth'): string {
  return `[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = ${usage}
authorityKeyIdentifier = keyid
${sans.length > 0 ? `subjectAltName = ${sans.join(', ')}\n` : ''}`;
}

// EC P-256 keys: generating them takes milliseconds, RSA keys take tens to hundreds.
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Options for {@link signCertificate}. */
export interface SignCertificateOptions {
  dir: string;
  /** File name stem: writes `<name>.crt` and `<name>.key` into `dir`. */
  name: string;
  caCertPath: string;
  caKeyPath: string;
  commonName: string;
  /** Becomes O= in the subject; the API server reads it as the user's groups. */
  organization?: string;
  /** subjectAltName entries like `IP:127.0.0.1` or `DNS:example` (server certificates). */
  sans?: readonly string[];
  usage: 'serverAuth' | 'clientAuth';
  /** Validity in days, default 365. A negative value gives an already-expired certificate (OpenSSL 3.0). */
  days?: number;
}

/** Signs a new EC key with the test CA (openssl CLI). Returns the certificate and key paths. */
export async function signCertificate(options: SignCertificateOptions): Promise<{ certPath: string; keyPath: string }> {
  const certPath = join(options.dir, `${options.name}.crt`);
  const keyPath = join(options.dir, `${options.name}.key`);
  const csrPath = join(options.dir, `${options.name}.csr`);
  const extPath = join(options.dir, `${options.name}.ext.cnf`);
  const subject = `/CN=${options.commonName}${options.organization !== undefined ? `/O=${options.organization}` : ''}`;
  await writeFile(extPath, leafExtensions(options.sans ?? [], options.usage));
  await run('openssl', ['req', '-new', ...EC_KEY, '-keyout', keyPath, '-out', csrPath, '-subj', subject]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csrPath,
    '-CA',
    options.caCertPath,
    '-CAkey',
    options.caKeyPath,
    '-CAcreateserial',
    '-out',
    certPath,
    '-days',
    String(options.days ?? 365),
    '-extfile',
    extPath,
    '-extensions',
    'leaf',
  ]);
  return { certPath, keyPath };
}

/**
 * Generates a CA, the API server's serving certificate (SANs: {@link API_SERVER_SANS} and
 * `extraSans`) and the service-account key pair into `dir`. We make our own CA rather than letting kube-apiserver
 * self-sign so that kubeconfigs can embed a known CA and tests can verify the server properly.
 */
export async function generateControlPlaneCertificates(dir: string, extraSans: readonly string[] = []): Promise<ControlPlaneCertificates> {
  const caCertPath = join(dir, 'ca.crt');
  const caKeyPath = join(dir, 'ca.key');
  const caConfigPath = join(dir, 'ca.cnf');
  const serviceAccountKeyPath = join(dir, 'sa.key');
  const serviceAccountPublicKeyPath = join(dir, 'sa.pub');
  await writeFile(caConfigPath, CA_CONFIG);
  await Promise.all([
    run('openssl', ['req', '-x509', '-new', ...EC_KEY, '-keyout', caKeyPath, '-out', caCertPath, '-days', '3650', '-config', caConfigPath]),
    // RSA because every service-account token consumer understands RS256.
    run('openssl', ['genrsa', '-out', serviceAccountKeyPath, '2048']).then(() =>
      run('openssl', ['rsa', '-in', serviceAccountKeyPath, '-pubout', '-out', serviceAccountPublicKeyPath]),
    ),
  ]);
  const serving = await signCertificate({
    dir,
    name: 'apiserver',
    caCertPath,
    caKeyPath,
    commonName: 'kube-apiserver',
    sans: [...API_SERVER_SANS, ...extraSans],
    usage: 'serverAuth',
  });
  return {
    caCertPath,
    caKeyPath,
    caCertPem: await readFile(caCertPath, 'utf8'),
    apiServerCertPath: serving.certPath,
    apiServerKeyPath: serving.keyPath,
    serviceAccountKeyPath,
    serviceAccountPublicKeyPath,
  };
}

/**
 * A self-signed serving certificate (EC P-256, openssl CLI) for servers that nobody verifies,
 * such as the simulated kubelets: kube-apiserver dials kubelets without checking their
 * certificate unless given --kubelet-certificate-authority, which the harness does not set.
 */
export async function selfSignedCertificate(options: {
  dir: string;
  name: string;
  commonName: string;
  sans: readonly string[];
}): Promise<{ certPem: string; keyPem: string }> {
  const certPath = join(options.dir, `${options.name}.crt`);
  const keyPath = join(options.dir, `${options.name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '365',
    '-subj',
    `/CN=${options.commonName}`,
    '-addext',
    `subjectAltName = ${options.sans.join(', ')}`,
  ]);
  const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
  return { certPem, keyPem };
}
