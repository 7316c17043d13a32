import { describe, expect, it } from 'vitest';
import { hostKeyFileFor } from './host-key-file';

describe('hostKeyFileFor', () => {
  it('names the sshd public key file of the type the host presented', () => {
    expect(hostKeyFileFor('ssh-ed25519')).toBe('/etc/ssh/ssh_host_ed25519_key.pub');
    expect(hostKeyFileFor('ssh-rsa')).toBe('/etc/ssh/ssh_host_rsa_key.pub');
    expect(hostKeyFileFor('rsa-sha2-512')).toBe('/etc/ssh/ssh_host_rsa_key.pub');
    expect(hostKeyFileFor('ecdsa-sha2-nistp256')).toBe('/etc/ssh/ssh_host_ecdsa_key.pub');
    expect(hostKeyFileFor('ecdsa-sha2-nistp521')).toBe('/etc/ssh/ssh_host_ecdsa_key.pub');
  });
});
