import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sshFingerprint, sshKeyType } from './host-key';
import { tempDir } from '../../../tests/harness/temp-dir';

describe('host key fingerprints', () => {
  it.each(['ed25519', 'ecdsa', 'rsa'])('match ssh-keygen for a %s key', async (type) => {
    const dir = await tempDir('hostkey');
    const path = join(dir, 'key');
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path]);
    const blob = Buffer.from(readFileSync(`${path}.pub`, 'utf8').split(' ')[1] ?? '', 'base64');
    const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`], { encoding: 'utf8' });
    expect(printed).toContain(sshFingerprint(blob));
    expect(sshFingerprint(blob)).not.toContain('=');
    expect(sshKeyType(blob)).toBe(readFileSync(`${path}.pub`, 'utf8').split(' ')[0]);
  });

  it('says unknown for a blob too short to name its type', () => {
    expect(sshKeyType(Buffer.from([0, 0]))).toBe('unknown');
    expect(sshKeyType(Buffer.from([0, 0, 0, 200, 1]))).toBe('unknown');
  });
});
