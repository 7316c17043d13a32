import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHost, startTestHosts } from '../../harness/ssh/test-host';
import { connectToTestHost } from './connect-to-test-host';

async function processesNamed(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) pids.push(Number(entry));
  }
  return pids;
}

describe('SSH test host harness', () => {
  it('leaves no process behind, not even one detached from its session', async () => {
    const host = await startTestHost({ simulation: simulations.nestedOn });
    const marker = `nestlab-orphan-${randomBytes(4).toString('hex')}`;
    const connection = connectToTestHost(host);
    try {
      // A daemon-like process that outlives its SSH session.
      await connection.exec(`setsid bash -c 'exec -a ${marker} sleep 300' </dev/null >/dev/null 2>&1 &`);
      await expect.poll(() => processesNamed(marker), { interval: 20 }).toHaveLength(1);
    } finally {
      connection.close();
      await host.stop();
    }
    await expect.poll(() => processesNamed(marker), { interval: 20 }).toEqual([]);
  });

  it('makes /dev/kvm in the host, whatever the machine has, and never in the machine', async () => {
    const machineHadKvm = existsSync('/dev/kvm');
    const hosts = await startTestHosts([
      { simulation: simulations.nestedOn },
      { simulation: simulations.noKvm },
      { simulation: simulations.kvmNotADevice },
    ]);
    const [device, absent, regular] = hosts.map((host) => connectToTestHost(host));
    try {
      const kind = 'if [ -c /dev/kvm ]; then stat -c "char %t:%T %G %a" /dev/kvm; elif [ -e /dev/kvm ]; then echo file; else echo none; fi';
      expect((await device!.exec(kind)).stdout.trim()).toBe('char a:e8 kvm 660');
      expect((await absent!.exec(kind)).stdout.trim()).toBe('none');
      expect((await regular!.exec(kind)).stdout.trim()).toBe('file');
      // The private /dev still gives sessions what they need: a pty and the usual devices.
      expect((await device!.exec('head -c 4 /dev/zero | od -An -tx1; echo x > /dev/null && echo ok')).stdout).toMatch(/00 00 00 00\s+ok/);
      expect(existsSync('/dev/kvm')).toBe(machineHadKvm);
    } finally {
      for (const connection of [device, absent, regular]) connection?.close();
      await Promise.all(hosts.map((host) => host.stop()));
    }
  });

  it('a set-up that fails half way stops what started, removes its folders and reports its own error', async () => {
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const hash = createHash('sha256').update(password).digest('hex');
    // A negative tmpfs size makes the broken host's namespace script fail before sshd starts.
    const broken = { ...simulations.nestedOn, diskGiB: -1 };
    const error = await startTestHosts([
      { simulation: simulations.nestedOn, password },
      { simulation: broken, password },
    ]).catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/test sshd exited .*nestlab-sim-images/s);
    // Neither the host that started nor the broken one left a folder or a process.
    const leftovers: string[] = [];
    for (const entry of await readdir(tmpdir())) {
      if (!entry.startsWith('nestlab-sshd-')) continue;
      const saved = await readFile(join(tmpdir(), entry, 'sim', 'sudo-password.sha256'), 'utf8').catch(() => '');
      if (saved === hash) leftovers.push(entry);
    }
    expect(leftovers).toEqual([]);
    const orphans = [];
    for (const pid of await processesNamed('nestlab-sshd-')) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      const dir = /\/tmp\/nestlab-sshd-[^/\0]+/.exec(cmdline)?.[0];
      if (dir !== undefined && !existsSync(dir)) orphans.push(cmdline);
    }
    expect(orphans).toEqual([]);
  });
});
