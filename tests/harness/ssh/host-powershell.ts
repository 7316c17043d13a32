import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { powerShellCommand } from '../../../src/main/hosts/powershell';
import type { TestHost } from './test-host';

const run = promisify(execFile);

/**
 * Runs a PowerShell script on a simulated Windows host as the engine does (OpenSSH's client to
 * the real sshd, -EncodedCommand): its exit code, stdout and stderr, whatever the exit code.
 */
export async function hostPowerShell(host: TestHost, script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const options = ['BatchMode=yes', 'StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'LogLevel=ERROR'];
  const args = ['-i', host.clientKey.path, ...options.flatMap((option) => ['-o', option]), '-p', String(host.port)];
  try {
    const { stdout, stderr } = await run('ssh', [...args, `${host.user}@127.0.0.1`, powerShellCommand(script)]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
