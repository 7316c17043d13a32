/**
 * Benchmark (issue 8): 20 probe commands over ONE SSH connection (Nestlab's way) against 20
 * separate `ssh` runs of the same commands (a connection, key exchange and login each), on a real
 * sshd test host on loopback. Budget: one connection at least 5x faster.
 *
 * Run as root: npx tsx bench/ssh-probe.ts
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { probeHost } from '../src/main/hosts/preflight/run-preflight';
import { SshConnection } from '../src/main/hosts/ssh-connection';
import { simulations } from '../tests/harness/ssh/profiles';
import { startTestHost } from '../tests/harness/ssh/test-host';

const run = promisify(execFile);
const rounds = 5;
const target = 5;

/** The kind of single-fact commands a probe runs. */
const commands = [
  'grep -c ^processor /proc/cpuinfo',
  "awk '/^MemTotal:/{print $2}' /proc/meminfo",
  "awk '/^MemAvailable:/{print $2}' /proc/meminfo",
  'df -Pk /var/lib/libvirt/images',
  "grep -owE 'vmx|svm' /proc/cpuinfo | sort -u",
  'grep -qw hypervisor /proc/cpuinfo && echo yes || echo no',
  'cat /sys/module/kvm_intel/parameters/nested',
  'test -c /dev/kvm && echo yes || echo no',
  'command -v virsh',
  'command -v virt-install',
  'command -v qemu-img',
  'command -v cloud-localds || command -v genisoimage || command -v xorriso || true',
  'virsh -c qemu:///system net-info default',
  'virsh -c qemu:///system pool-info default',
  'id -nG',
  'id -un',
  'sudo -n true && echo nopasswd',
  'uname -r',
  'uname -m',
  '. /etc/os-release && echo "$PRETTY_NAME"',
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const host = await startTestHost({ simulation: simulations.nestedOn });
  const dir = await mkdtemp(join(tmpdir(), 'nestlab-bench-'));
  try {
    const knownHosts = join(dir, 'known_hosts');
    await writeFile(knownHosts, `${await host.knownHostsLine()}\n`);
    const hostKey = { ...(await host.hostKey()), acceptedAt: new Date().toISOString() };
    const sshArgs = [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'ControlMaster=no',
      '-i',
      host.clientKey.path,
      '-p',
      String(host.port),
      `${host.user}@127.0.0.1`,
    ];

    const oneConnection: number[] = [];
    const separate: number[] = [];
    const wholeProbe: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      // Nestlab: connect once (included in the time), then 20 commands as channels in sequence.
      let started = performance.now();
      const connection = new SshConnection({
        hostId: 'bench',
        endpoint: { host: '127.0.0.1', port: host.port, username: host.user },
        credentials: () => Promise.resolve({ kind: 'privateKey', privateKey: host.clientKey.privateKey }),
        expectedHostKey: () => Promise.resolve(hostKey),
        reconnect: false,
      });
      for (const command of commands) {
        const result = await connection.exec(command);
        if (result.exitCode !== 0) throw new Error(`"${command}" failed on the test host: ${result.stderr}`);
      }
      oneConnection.push(performance.now() - started);
      connection.close();

      // For reference: Nestlab's actual preflight, one script over stdin on one connection.
      started = performance.now();
      const probing = new SshConnection({
        hostId: 'bench-probe',
        endpoint: { host: '127.0.0.1', port: host.port, username: host.user },
        credentials: () => Promise.resolve({ kind: 'privateKey', privateKey: host.clientKey.privateKey }),
        expectedHostKey: () => Promise.resolve(hostKey),
        reconnect: false,
      });
      await probeHost(probing, 'linux');
      wholeProbe.push(performance.now() - started);
      probing.close();

      // The same commands, one OpenSSH client process and connection each.
      started = performance.now();
      for (const command of commands) await run('ssh', [...sshArgs, command]);
      separate.push(performance.now() - started);
    }

    const one = median(oneConnection);
    const many = median(separate);
    const ratio = many / one;
    console.log(`ssh probe benchmark: ${commands.length} commands, median of ${rounds} rounds, real sshd on 127.0.0.1`);
    console.log(`  one connection (ssh2, connect included): ${one.toFixed(1)} ms  (${(one / commands.length).toFixed(1)} ms/command)`);
    console.log(
      `  ${commands.length} separate ssh runs:             ${many.toFixed(1)} ms  (${(many / commands.length).toFixed(1)} ms/command)`,
    );
    console.log(`  (the full preflight as one script, connect included: ${median(wholeProbe).toFixed(1)} ms)`);
    console.log(`  ratio: ${ratio.toFixed(1)}x faster (target >= ${target}x): ${ratio >= target ? 'PASS' : 'FAIL'}`);
    if (ratio < target) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await host.stop();
  }
}

await main();
