import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { labKubeconfig } from './lab-kubeconfig';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const CA = '-----BEGIN CERTIFICATE-----\nQ0EtREFUQQ==\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN RSA PRIVATE KEY-----\nS0VZ\n-----END RSA PRIVATE KEY-----\n';

/** The shape kubeadm writes to /etc/kubernetes/admin.conf (k3s.yaml has the same user and cluster fields). */
function adminConf(user: Record<string, unknown> = {}, cluster: Record<string, unknown> = {}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'kubernetes', cluster: { 'certificate-authority-data': b64(CA), server: 'https://192.168.150.101:6443', ...cluster } },
    ],
    contexts: [{ name: 'kubernetes-admin@kubernetes', context: { cluster: 'kubernetes', user: 'kubernetes-admin' } }],
    'current-context': 'kubernetes-admin@kubernetes',
    users: [{ name: 'kubernetes-admin', user: { 'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY), ...user } }],
  });
}

const endpoint = { host: 'lab1-api.lab.internal', port: 6443, address: '192.168.150.10' };

describe('labKubeconfig', () => {
  it('keeps only the CA, client certificate and key, names everything after the lab and points at the stable endpoint', () => {
    const { kubeconfig, target } = labKubeconfig(adminConf(), 'lab1', endpoint);
    expect(parse(kubeconfig)).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'lab1', cluster: { server: 'https://lab1-api.lab.internal:6443', 'certificate-authority-data': b64(CA) } }],
      users: [{ name: 'lab1', user: { 'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY) } }],
      contexts: [{ name: 'lab1', context: { cluster: 'lab1', user: 'lab1' } }],
      'current-context': 'lab1',
      preferences: {},
    });
    expect(target).toEqual({ server: 'https://lab1-api.lab.internal:6443', ca: CA, cert: CERT, key: KEY, insecureSkipTlsVerify: false });
    expect(labKubeconfig(adminConf(), 'lab1', { host: 'fd00::10', port: 6443, address: '192.168.150.10' }).target.server).toBe(
      'https://[fd00::10]:6443',
    );
  });

  it.each([
    [
      'exec',
      { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/sh', args: ['-c', 'touch /tmp/pwned'] } },
      {},
      /user field "exec" \(it would run a program on this computer\)/,
    ],
    ['auth-provider', { 'auth-provider': { name: 'gcp', config: { 'cmd-path': '/bin/sh' } } }, {}, /user field "auth-provider"/],
    ['tokenFile', { tokenFile: '/home/me/.ssh/id_ed25519' }, {}, /user field "tokenFile" \(it names a file on this computer\)/],
    ['client-key path', { 'client-key': '/home/me/.ssh/id_ed25519' }, {}, /user field "client-key" \(it names a file/],
    ['token', { token: 'abc' }, {}, /user field "token" \(kubeadm and k3s do not write it\)/],
    ['CA path', {}, { 'certificate-authority': '/etc/ssl/private/key.pem' }, /cluster field "certificate-authority" \(it names a file/],
    ['proxy', {}, { 'proxy-url': 'http://evil.example:3128' }, /cluster field "proxy-url"/],
    ['skip TLS', {}, { 'insecure-skip-tls-verify': true }, /cluster field "insecure-skip-tls-verify"/],
  ])('refuses a fetched kubeconfig with %s, naming the field', (_name, user, cluster, message) => {
    expect(() => labKubeconfig(adminConf(user, cluster), 'lab1', endpoint)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(message) as unknown }),
    );
  });

  it('names every refused field at once', () => {
    expect(() => labKubeconfig(adminConf({ exec: {}, tokenFile: '/x' }, { 'proxy-url': 'http://p' }), 'lab1', endpoint)).toThrow(
      /cluster field "proxy-url".*user field "exec".*user field "tokenFile"/,
    );
  });

  it('refuses text that is not a single-cluster kubeconfig with embedded PEM data', () => {
    expect(() => labKubeconfig('clusters: [', 'lab1', endpoint)).toThrow(/not YAML/);
    expect(() => labKubeconfig('apiVersion: v1\nclusters: []\n', 'lab1', endpoint)).toThrow(/exactly one cluster/);
    expect(() => labKubeconfig(adminConf({ 'client-key-data': b64('not a key') }), 'lab1', endpoint)).toThrow(
      /client-key-data that is not a PEM private key/,
    );
    // A truncated key (a copy cut short) is not a key.
    expect(() => labKubeconfig(adminConf({ 'client-key-data': b64(KEY.slice(0, 40)) }), 'lab1', endpoint)).toThrow(/not a PEM private key/);
  });
});
