/**
 * What lab log lines must never carry: the join secrets that kubeadm and k3s print. `kubeadm init
 * --upload-certs` ends with ready-to-paste `kubeadm join ... --token ... --certificate-key ...`
 * commands and prints the token and key in its phase lines too; anyone holding them can join a
 * control plane (the certificate key decrypts the cluster's CA keys) for two hours. Log lines go to
 * the renderer and into error messages, so these values are replaced before they leave the engine.
 */

/** A bootstrap token, `[a-z0-9]{6}.[a-z0-9]{16}` (kubeadm's documented format). */
const BOOTSTRAP_TOKEN = /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g;
/** The value after --token / --certificate-key / --token-file style flags, whatever its shape. */
const SECRET_FLAG = /(--(?:token|certificate-key|discovery-token)(?:=|\s+))(?!<)\S+/g;
/**
 * A certificate key: 32 bytes as 64 hex digits. Public SHA-256 digests stay: a `sha256:` CA hash,
 * and the `<what> sha256 <digest>` lines Nestlab prints for each script or manifest it runs as
 * root (the lab log's record of what ran).
 */
const CERTIFICATE_KEY = /(?<!sha256[: ])\b[0-9a-f]{64}\b/g;
/** A k3s join token: K10<CA hash>::<user>:<secret>, or the short form a server prints. */
const K3S_TOKEN = /\bK10[0-9a-f]+::[^\s:]+:\S+/g;

/** The text with every join secret replaced by a placeholder naming what was there. */
export function redactJoinSecrets(text: string): string {
  return text
    .replace(K3S_TOKEN, '<k3s token>')
    .replace(SECRET_FLAG, '$1<redacted>')
    .replace(BOOTSTRAP_TOKEN, '<bootstrap token>')
    .replace(CERTIFICATE_KEY, '<certificate key>');
}
