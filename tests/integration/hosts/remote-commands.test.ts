import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import { runPowerShellJson } from '../../../src/main/hosts/powershell';
import { probeHost } from '../../../src/main/hosts/preflight/run-preflight';
import { runArgv, runScript } from '../../../src/main/hosts/remote-command';
import type { CommandExecutor, SshConnection } from '../../../src/main/hosts/ssh-connection';
import { buildCommand } from '../../../src/main/hosts/shell-quote';
import { runWithSudo } from '../../../src/main/hosts/sudo';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHost } from '../../harness/ssh/test-host';
import type { TestHost } from '../../harness/ssh/test-host';
import { connectToTestHost } from './connect-to-test-host';

/** A sudo password nobody would type by accident: it must never show up anywhere but stdin. */
const canary = 'CANARY-sudo-7f3a9c-pass';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function caught(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('remote commands on real sshd', () => {
  let sudoHost: TestHost;
  let windowsHost: TestHost;
  let linux: SshConnection;
  let windows: SshConnection;

  beforeAll(async () => {
    [sudoHost, windowsHost] = await Promise.all([
      startTestHost({ simulation: simulations.nestedOff, password: canary }),
      startTestHost({ simulation: simulations.windowsHyperV }),
    ]);
    linux = connectToTestHost(sudoHost);
    windows = connectToTestHost(windowsHost);
  });
  afterAll(async () => {
    linux.close();
    windows.close();
    await Promise.all([sudoHost.stop(), windowsHost.stop()]);
  });

  describe('quoting: user text is passed literally, a canary command never runs', () => {
    const canaryFile = (): string => join(sudoHost.simDir, 'injected');
    const payloads = (): string[] => {
      const file = canaryFile();
      return [
        `; touch ${file}`,
        `$(touch ${file})`,
        `\`touch ${file}\``,
        `' ; touch ${file}; echo '`,
        `" ; touch ${file}; echo "`,
        `x\ntouch ${file}`,
        `-rf`,
        `&& touch ${file} ||`,
        `| touch ${file}`,
        `> ${file}`,
      ];
    };

    it('in argument lists', async () => {
      const result = await runArgv(linux, ['printf', '%s\\0', ...payloads()]);
      expect(result.stdout.split('\0').slice(0, -1)).toEqual(payloads());
      expect(existsSync(canaryFile())).toBe(false);
    });

    it('in script arguments sent with bash -s', async () => {
      const result = await runScript(linux, 'for a in "$@"; do printf "%s\\0" "$a"; done', { args: payloads() });
      expect(result.stdout.split('\0').slice(0, -1)).toEqual(payloads());
      expect(existsSync(canaryFile())).toBe(false);
    });

    it('in the probe storage path', async () => {
      const path = `/var/lib/libvirt/images/$(touch ${canaryFile()});x`;
      const report = await probeHost(linux, 'linux', { storagePath: path });
      expect(report.capacity.storagePath).toBe(path);
      expect(existsSync(canaryFile())).toBe(false);
    });
  });

  describe('sudo', () => {
    it('tries sudo -n first and sends a needed password over stdin only', async () => {
      let asked = 0;
      const result = await runWithSudo(linux, ['id', '-un'], {
        password: () => {
          asked += 1;
          return Promise.resolve(canary);
        },
      });
      expect(result).toMatchObject({ exitCode: 0, stdout: `${sudoHost.user}\n` });
      expect(asked).toBe(1);
      const calls = (await sudoHost.sudoCalls()).slice(-3).map((argv) => argv.slice(1));
      expect(calls).toEqual([
        ['-n', '--', 'id', '-un'],
        ['-S', '-k', '-p', '', '-v'],
        ['-S', '-k', '-p', '', '--', 'id', '-un'],
      ]);
      // Every command line a `ps` on the host could have shown, and sshd's log: no password.
      expect(await sudoHost.sessionCommandLines()).not.toContain(canary);
      expect(JSON.stringify(await sudoHost.sudoCalls())).not.toContain(canary);
      expect(await readFile(sudoHost.sshdLogPath, 'utf8')).not.toContain(canary);
    });

    it('passes stdin after the password to the command', async () => {
      const result = await runWithSudo(linux, ['cat'], { password: () => Promise.resolve(canary), stdin: 'payload' });
      expect(result.stdout).toBe('payload');
    });

    it('fails with SUDO_REQUIRED when no password is stored, and when the stored one is wrong', async () => {
      expect((await caught(runWithSudo(linux, ['true']))).details).toMatchObject({ reason: 'password-required' });
      const wrong = await caught(runWithSudo(linux, ['true'], { password: () => Promise.resolve('wrong') }));
      expect(wrong).toMatchObject({ code: 'SUDO_REQUIRED', details: { reason: 'password-rejected' } });
    });

    it("tries a wrong saved password once: the command's input is never read as further attempts", async () => {
      const attempts = async () =>
        (await readFile(join(sudoHost.simDir, 'sudo-failed-attempts.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
      const before = await attempts();
      const input = 'first line of input\nsecond line\nthird line\n';
      const error = await caught(runWithSudo(linux, ['tee', '/dev/null'], { password: () => Promise.resolve('wrong'), stdin: input }));
      expect(error).toMatchObject({ code: 'SUDO_REQUIRED', details: { reason: 'password-rejected' } });
      // Real sudo reads the next stdin line after a wrong password (3 tries); each counts towards a lockout.
      const failed = (await attempts()).slice(before.length);
      expect(failed).toEqual([sha256('wrong')]);
      expect(failed).not.toContain(sha256('first line of input'));
    });

    it('never hands the password to the command when another session cached a sudo credential meanwhile', async () => {
      // timestamp_type=global: a credential cached by one session is used by every other one.
      await writeFile(join(sudoHost.simDir, 'sudo-timestamp-type'), 'global\n');
      try {
        // Another session (a parallel lab step, say) authenticates right after this call's `sudo -n` was refused.
        let calls = 0;
        const racing: CommandExecutor = {
          exec: async (command, options) => {
            const result = await linux.exec(command, options);
            calls += 1;
            // The first command is `sudo -n`, refused for want of a password.
            if (calls === 1) await linux.exec("'sudo' '-S' '-p' '' '-v'", { stdin: `${canary}\n` });
            return result;
          },
        };
        const result = await runWithSudo(racing, ['cat'], { password: () => Promise.resolve(canary), stdin: 'payload' });
        expect(result.stdout).toBe('payload');
        expect(result.stdout).not.toContain(canary);
      } finally {
        await rm(join(sudoHost.simDir, 'sudo-timestamp-type'), { force: true });
        await rm(join(sudoHost.simDir, 'sudo-timestamp.global'), { force: true });
      }
    });

    it('never asks for the password when sudo does not need one', async () => {
      let asked = false;
      const result = await runWithSudo(windows, ['echo', 'root-ish'], {
        password: () => {
          asked = true;
          return Promise.resolve(canary);
        },
      });
      expect(result.stdout).toBe('root-ish\n');
      expect(asked).toBe(false);
    });
  });

  describe('a host whose login shell is fish (not POSIX: a backslash inside single quotes is an escape there)', () => {
    const shellFile = () => join(sudoHost.simDir, 'login-shell-program');
    beforeAll(async () => {
      await writeFile(shellFile(), '/usr/bin/fish\n');
    });
    afterAll(async () => {
      await rm(shellFile(), { force: true });
    });

    const awkward = ['ends with a backslash\\', "it's", '\\\\two', "a\\'b", '$HOME', '(echo x)', '; echo injected', 'tab\there', '✓'];

    it('passes every argument literally, whatever the login shell', async () => {
      // The login shell really is fish, and a POSIX-quoted line given to it as it is breaks.
      expect((await linux.exec('echo $FISH_VERSION')).stdout).toMatch(/^\d+\.\d+/);
      const raw = await linux.exec(buildCommand(['printf', '%s', 'ends with a backslash\\']));
      expect(raw.stdout).toBe('');
      expect(raw.stderr).toContain('quotes are not balanced');
      const result = await runArgv(linux, ['printf', '%s\\0', ...awkward]);
      expect(result).toMatchObject({ exitCode: 0, stderr: '' });
      expect(result.stdout.split('\0').slice(0, -1)).toEqual(awkward);
    });

    it('runs scripts with their arguments, and sudo with the password on stdin', async () => {
      const script = await runScript(linux, 'for a in "$@"; do printf "%s\\0" "$a"; done', { args: awkward });
      expect(script.stdout.split('\0').slice(0, -1)).toEqual(awkward);
      const sudo = await runWithSudo(linux, ['cat'], { password: () => Promise.resolve(canary), stdin: 'ends with \\' });
      expect(sudo).toMatchObject({ exitCode: 0, stdout: 'ends with \\' });
    });
  });

  describe('PowerShell', () => {
    it('delivers the script byte for byte through -EncodedCommand', async () => {
      const script = `# nestlab:echo\n$name = 'it''s'; Write-Output "$name ✓ \`$(x) ; & | > \\\\"`;
      const value = (await runPowerShellJson(windows, script)) as { scriptBase64: string };
      expect(Buffer.from(value.scriptBase64, 'base64').toString('utf8')).toBe(script);
      const lines = await windowsHost.sessionCommandLines();
      expect(lines).toMatch(/^-c powershell -NoProfile -NonInteractive -EncodedCommand [A-Za-z0-9+/=]+$/m);
      expect(lines).not.toContain('nestlab:echo');
    });

    it('reports a failing script as PROGRAM_FAILED with its stderr', async () => {
      const error = await caught(runPowerShellJson(windows, 'Get-Nothing'));
      expect(error).toMatchObject({ code: 'PROGRAM_FAILED', message: expect.stringContaining('not simulated') });
    });
  });
});
