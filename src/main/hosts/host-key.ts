import { createHash } from 'node:crypto';

/**
 * The SHA256 fingerprint of an SSH public key blob exactly as OpenSSH prints it
 * (`ssh-keygen -lf`, the first-contact prompt): "SHA256:" + unpadded base64 of sha256(blob).
 */
export function sshFingerprint(keyBlob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * The key type named at the start of an SSH public key blob (RFC 4253 §6.6: a uint32 length and
 * the algorithm name), e.g. "ssh-ed25519". "unknown" if the blob is too short to say.
 */
export function sshKeyType(keyBlob: Uint8Array): string {
  if (keyBlob.length < 4) return 'unknown';
  const view = Buffer.from(keyBlob.buffer, keyBlob.byteOffset, keyBlob.byteLength);
  const length = view.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > view.length) return 'unknown';
  return view.subarray(4, 4 + length).toString('ascii');
}
