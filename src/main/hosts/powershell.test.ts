import { describe, expect, it } from 'vitest';
import { encodePowerShell, powerShellCommand } from './powershell';

describe('PowerShell encoding', () => {
  it('encodes UTF-16LE base64 as -EncodedCommand expects', () => {
    // Known value: PowerShell's own [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes('dir')).
    expect(encodePowerShell('dir')).toBe('ZABpAHIA');
    const script = `Write-Output "it's $(Get-Date) ✓"; 'a;b'`;
    expect(Buffer.from(encodePowerShell(script), 'base64').toString('utf16le')).toBe(script);
  });

  it('builds a command line with no script text on it', () => {
    const command = powerShellCommand('Remove-Item -Recurse C:\\; "$(evil)"');
    expect(command).toMatch(/^powershell -NoProfile -NonInteractive -EncodedCommand [A-Za-z0-9+/=]+$/);
  });

  it('refuses scripts longer than a Windows command line', () => {
    expect(() => powerShellCommand('x'.repeat(30_000))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
