/**
 * Where a host keeps the public half of the host key it presents, by the key type the SSH
 * handshake names, so the user can compare fingerprints (`ssh-keygen -lf <file>`) on its console.
 */
export function hostKeyFileFor(keyType: string): string {
  if (keyType === 'ssh-ed25519') return '/etc/ssh/ssh_host_ed25519_key.pub';
  if (keyType.startsWith('ecdsa-sha2-')) return '/etc/ssh/ssh_host_ecdsa_key.pub';
  if (keyType === 'ssh-rsa' || keyType.startsWith('rsa-sha2-')) return '/etc/ssh/ssh_host_rsa_key.pub';
  if (keyType === 'ssh-dss') return '/etc/ssh/ssh_host_dsa_key.pub';
  return '/etc/ssh/ssh_host_*_key.pub';
}
