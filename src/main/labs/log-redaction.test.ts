import { describe, expect, it } from 'vitest';
import { redactJoinSecrets } from './log-redaction';

const TOKEN = '9vr73a.a8uxyaju799qwdjv';
const KEY = 'f8902e114ef118304e561c3ecd4d0b543adc226b7a07f675f56564185ffe0c07';
const HASH = 'sha256:7c2e69131a36ae2a042a339b33381c6d0d43887e2de83720eff5359e26aec866';

/** The end of what `kubeadm init --upload-certs` prints (kubeadm 1.30), with its secrets. */
const INIT_OUTPUT = `[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace
[upload-certs] Using certificate key:
${KEY}
[mark-control-plane] Marking the node lab1-cp1 as control-plane by adding the labels: [node-role.kubernetes.io/control-plane]
[bootstrap-token] Using token: ${TOKEN}
[bootstrap-token] Configuring bootstrap tokens, cluster-info ConfigMap, RBAC Roles

Your Kubernetes control-plane has initialized successfully!

You can now join any number of the control-plane node running the following command on each as root:

  kubeadm join 192.168.0.200:6443 --token ${TOKEN} \\
	--discovery-token-ca-cert-hash ${HASH} \\
	--control-plane --certificate-key ${KEY}

Please note that the certificate-key gives access to cluster sensitive data, keep it secret!

Then you can join any number of worker nodes by running the following on each as root:

kubeadm join 192.168.0.200:6443 --token ${TOKEN} \\
	--discovery-token-ca-cert-hash ${HASH}
`;

describe('redactJoinSecrets', () => {
  it("removes the token and certificate key from kubeadm init's banner, line by line as the log splits it", () => {
    const redacted = INIT_OUTPUT.split('\n').map(redactJoinSecrets).join('\n');
    expect(redacted).not.toContain(TOKEN);
    expect(redacted).not.toContain(KEY);
    expect(redacted).not.toContain('a8uxyaju799qwdjv');
    expect(redacted).toContain('[bootstrap-token] Using token: <bootstrap token>');
    expect(redacted).toContain('  kubeadm join 192.168.0.200:6443 --token <redacted> \\');
    expect(redacted).toContain('	--control-plane --certificate-key <redacted>');
    expect(redacted).toContain('[upload-certs] Using certificate key:\n<certificate key>\n');
    // The CA hash is public (it pins the CA) and stays readable.
    expect(redacted).toContain(`--discovery-token-ca-cert-hash ${HASH}`);
    expect(redacted).toContain('Your Kubernetes control-plane has initialized successfully!');
  });

  it('removes a k3s join token and a --token=value flag', () => {
    const k3s = 'K10a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2::server:0123456789abcdef0123456789abcdef';
    expect(redactJoinSecrets(`token is ${k3s} here`)).toBe('token is <k3s token> here');
    expect(redactJoinSecrets('k3s agent --token=s3cret-value --server https://x')).toBe('k3s agent --token=<redacted> --server https://x');
  });

  it('leaves ordinary lines alone', () => {
    for (const line of [
      '[preflight] Running pre-flight checks',
      'This node has joined the cluster',
      "'sudo' 'kubeadm' 'init' '--config' '/etc/nestlab/kubeadm.yaml' '--upload-certs'",
      // The digests of what runs as root are the log's record of it (bootstrap.ts, windows-node.ts and cni-step.ts print them).
      `k3s install script sha256 ${KEY}`,
      `https://raw.githubusercontent.com/kubernetes-sigs/sig-windows-tools/06efd117064e1cf8e2afd054c82d58d176883101/hostprocess/flannel/flanneld/flannel-overlay.yml sha256 ${KEY}`,
    ]) {
      expect(redactJoinSecrets(line)).toBe(line);
    }
  });
});
