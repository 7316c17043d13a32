import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, copyFile, cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostSimulation, LinuxSimulation } from './profiles';
import { NAMESPACE_SSH_PORT, realLibvirtScript } from './real-libvirt';

/**
 * The files that make a test host look like a lab host: stand-in /proc and /etc files, the
 * simulation tools on its PATH, their state, and the script that mounts it all inside the host's
 * own namespace before starting sshd.
 */

const simulationScripts = join(dirname(fileURLToPath(import.meta.url)), 'simulations');
const namespaceRelay = join(dirname(fileURLToPath(import.meta.url)), 'namespace-relay.mjs');
export const SSHD = '/usr/sbin/sshd';
/** The test user exists only inside each test host's mount namespace (stand-in /etc/passwd). */
export const TEST_USER = 'nestlab';
export const TEST_UID = 4242;
/** gid of the stand-in group `kvm` where the machine has none (it exists only in the host's namespace). */
const KVM_GID = TEST_UID + 2;

/** What the Linux probe looks for (linux-probe.ts), hidden on hosts simulated without libvirt. */
const HIDDEN_WITHOUT_LIBVIRT = ['virsh', 'virt-install', 'qemu-img', 'cloud-localds', 'genisoimage', 'xorriso', 'mkisofs', 'libvirtd'];

/** Stand-ins inside a simulated lab VM (reached through the stand-in ssh). */
const vmTools = ['sudo', 'cloud-init', 'kubeadm', 'kubectl', 'kubelet', 'apt-get', 'apt-mark', 'powershell', 'systemctl', 'curl'];

export async function installTools(bin: string, sim: HostSimulation, realLibvirt = false): Promise<void> {
  // A real-libvirt host has the real sudo (real-libvirt.ts): root really is root there.
  const tools = realLibvirt ? [] : ['sudo'];
  // Windows: PowerShell with the stateful Hyper-V cmdlets, and the tools inside a VM (vm/).
  if (sim.os === 'windows') tools.push('powershell', 'hyperv-cmdlets', 'lib-sim.sh', ...vmTools.map((tool) => `vm/${tool}`));
  // Stateful libvirt stand-ins, the ssh that reaches their "VMs", and the tools inside a VM (vm/).
  else if (sim.libvirt)
    tools.push(
      'virsh',
      'virt-install',
      'qemu-img',
      'cloud-localds',
      'ssh',
      'systemctl',
      'lib-sim.sh',
      ...vmTools.map((tool) => `vm/${tool}`),
    );
  // The host's own networks (`ip -j addr/route`) come from the stand-in ip: the real one would describe the machine.
  if (sim.os === 'linux' && !realLibvirt) tools.push('ip', ...(sim.libvirt ? [] : ['lib-sim.sh']));
  await mkdir(join(bin, 'vm'), { recursive: true });
  for (const tool of tools) {
    await copyFile(join(simulationScripts, tool), join(bin, tool));
    await chmod(join(bin, tool), 0o755);
  }
  // What the VM's stand-in curl serves (the pinned upstream files); every other URL fails as offline.
  if (tools.includes('vm/curl')) await cp(join(simulationScripts, 'vm', 'curl-files'), join(bin, 'vm', 'curl-files'), { recursive: true });
  // Relays into a host with a network of its own (its sshd, a lab's host port) and from a stand-in VM's API server out.
  if (sim.os === 'linux' && sim.libvirt) await copyFile(namespaceRelay, join(bin, 'namespace-relay.mjs'));
  await copyFile(join(simulationScripts, 'login-shell'), join(bin, 'login-shell'));
  await chmod(join(bin, 'login-shell'), 0o755);
}

export async function writeSimulationState(dir: string, simDir: string, sim: HostSimulation, password: string): Promise<void> {
  const owned = async (path: string, content: string): Promise<void> => {
    await writeFile(path, content);
    await chown(path, TEST_UID, TEST_UID);
  };
  await owned(join(simDir, 'sudo-mode'), sim.sudo);
  await owned(join(simDir, 'sudo-password.sha256'), createHash('sha256').update(password).digest('hex'));
  if (sim.os === 'windows') {
    await owned(join(simDir, 'hyperv-facts.json'), `${JSON.stringify(sim.facts)}\n`);
    return;
  }
  if (sim.libvirt) {
    await owned(
      join(simDir, 'libvirt-net-default'),
      'Name:           default\nUUID:           4f3c2d1e-0000-4000-8000-000000000001\nActive:         yes\nPersistent:     yes\nAutostart:      yes\nBridge:         virbr0\n',
    );
    await owned(
      join(simDir, 'libvirt-pool-default'),
      'Name:           default\nUUID:           4f3c2d1e-0000-4000-8000-000000000002\nState:          running\nPersistent:     yes\nAutostart:      yes\nCapacity:       500.00 GiB\nAllocation:     0.00 GiB\nAvailable:      500.00 GiB\n',
    );
  }
  const interfaces = [
    ...(sim.interfaces ?? [{ ifname: 'eth0', address: '192.168.1.20/24' }]),
    ...(sim.libvirt ? [{ ifname: 'virbr0', address: '192.168.122.1/24' }] : []),
  ];
  await owned(join(simDir, 'ip-interfaces'), interfaces.map((entry) => `${entry.ifname} ${entry.address}\n`).join(''));
  await owned(
    join(simDir, 'ip-routes'),
    [{ dst: 'default', gateway: '192.168.1.1', dev: 'eth0' }, ...(sim.routes ?? [])]
      .map((route) => `${route.dst} ${route.gateway ?? '-'} ${route.dev}\n`)
      .join(''),
  );
  const standIn = join(dir, 'stand-in');
  await writeFile(join(standIn, 'cpuinfo'), cpuinfo(sim));
  await writeFile(join(standIn, 'meminfo'), meminfo(sim.memoryMiB));
}

function cpuinfo(sim: LinuxSimulation): string {
  const flags = ['fpu', 'vme', 'de', 'pse', 'tsc', 'msr', 'pae', 'mce', 'cx8', 'apic', 'sse', 'sse2', 'ht', 'lm'];
  if (sim.virtFlag !== null) flags.push(sim.virtFlag);
  if (sim.guest) flags.push('hypervisor');
  flags.push('avx', 'avx2');
  const vendor = sim.virtFlag === 'svm' ? 'AuthenticAMD' : 'GenuineIntel';
  return Array.from(
    { length: sim.cpus },
    (_, index) =>
      `processor\t: ${index}\nvendor_id\t: ${vendor}\nmodel name\t: Simulated CPU (Nestlab test host)\nflags\t\t: ${flags.join(' ')}\n\n`,
  ).join('');
}

function meminfo(memoryMiB: number): string {
  const totalKiB = memoryMiB * 1024;
  return `MemTotal:       ${totalKiB} kB\nMemFree:        ${Math.floor(totalKiB * 0.9)} kB\nMemAvailable:   ${Math.floor(totalKiB * 0.92)} kB\n`;
}

export async function writeUserDatabase(dir: string, home: string, password: string, libvirtGroup: boolean): Promise<void> {
  const standIn = join(dir, 'stand-in');
  // The password goes to openssl on stdin, never on a command line.
  const hash = execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: `${password}\n`, encoding: 'utf8' });
  const passwd = await readFile('/etc/passwd', 'utf8');
  const shadow = await readFile('/etc/shadow', 'utf8');
  const group = await readFile('/etc/group', 'utf8');
  const userLine = `${TEST_USER}:x:${TEST_UID}:${TEST_UID}:Nestlab test user:${home}:${join(dir, 'bin', 'login-shell')}\n`;
  await writeFile(join(standIn, 'passwd'), passwd + userLine);
  await writeFile(join(standIn, 'shadow'), `${shadow}${TEST_USER}:${hash.trim()}:19000:0:99999:7:::\n`, { mode: 0o640 });
  let groups = group.split('\n').filter((line) => line.length > 0);
  // The host's /dev/kvm belongs to group kvm, which a machine without KVM may not have.
  if (!groups.some((line) => line.startsWith('kvm:'))) groups.push(`kvm:x:${KVM_GID}:`);
  // Likewise libvirt (a machine with libvirt installed has it, and libvirtd looks it up by name).
  if (!groups.some((line) => line.startsWith('libvirt:'))) groups.push(`libvirt:x:${TEST_UID + 1}:`);
  groups = groups.map((line) => (libvirtGroup && /^(kvm|libvirt):/.test(line) ? appendMember(line) : line));
  groups.push(`${TEST_USER}:x:${TEST_UID}:`);
  groups = groups.filter((line, index, all) => all.indexOf(line) === index);
  await writeFile(join(standIn, 'group'), `${groups.join('\n')}\n`);
}

function appendMember(line: string): string {
  return line.endsWith(':') ? `${line}${TEST_USER}` : `${line},${TEST_USER}`;
}

/** The lab networks of the lab fixtures (RFC 5737 TEST-NET ranges), local addresses in a stand-in host with its own network. */
export const LAB_TEST_NETWORKS = ['198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24'] as const;

export function namespaceScript(
  dir: string,
  sim: HostSimulation,
  hostKeyPath: string,
  logPath: string,
  realLibvirt = false,
  ownNetwork = realLibvirt,
): string {
  const standIn = join(dir, 'stand-in');
  const real = realLibvirt && sim.os === 'linux' ? realLibvirtScript(dir, sim.diskGiB) : undefined;
  const standInNetwork = ownNetwork && real === undefined;
  const lines = [
    '#!/bin/bash',
    '# Runs as the first process of a private mount + PID namespace: nothing here is visible outside.',
    'set -euo pipefail',
    // The test process holds this script's stdin open; when it dies (even by SIGKILL), end the
    // namespace: SIGTERM to its first process (sshd), as SIGKILL from inside is ignored by it.
    'exec 3<&0',
    // A host with a network of its own also takes firewall rules from the test on that stdin
    // (test-host.ts firewall()): one nft rules file per line, its exit status written beside it.
    ownNetwork
      ? '{ while IFS= read -r rules; do nft -f "$rules" 2>"$rules.err"; echo $? >"$rules.status"; done; kill -TERM 1; } <&3 &'
      : '{ cat >/dev/null; kill -TERM 1; } <&3 &',
    ...(real?.early ?? []),
    // Every address of the lab networks is this host's own: the lab bridge's, HAProxy's and the stand-in VMs'.
    ...(standInNetwork ? ['ip link set lo up', ...LAB_TEST_NETWORKS.map((network) => `ip route add local ${network} dev lo`)] : []),
    'mkdir -p /run/sshd',
    // The host's systemd units and HAProxy configurations, where the stand-in sudo (which does not
    // change user) lets the test user write them: an overlay keeps them out of the machine's /etc.
    ...(sim.os === 'linux' && sim.libvirt && real === undefined
      ? [
          `mkdir -p ${dir}/etc-overlay/upper ${dir}/etc-overlay/work`,
          `mount -t overlay nestlab-sim-etc -o lowerdir=/etc,upperdir=${dir}/etc-overlay/upper,workdir=${dir}/etc-overlay/work /etc`,
          'mkdir -p /etc/systemd/system /etc/haproxy/nestlab',
          `chown ${TEST_UID}:${TEST_UID} /etc/haproxy /etc/haproxy/nestlab`,
          // The lab host's own units, not the machine's.
          `mount -t tmpfs -o mode=755,uid=${TEST_UID},gid=${TEST_UID} nestlab-sim-units /etc/systemd/system`,
        ]
      : []),
    `mount --bind ${standIn}/passwd /etc/passwd`,
    `mount --bind ${standIn}/shadow /etc/shadow`,
    `mount --bind ${standIn}/group /etc/group`,
  ];
  if (sim.os === 'linux') {
    lines.push(
      `mount --bind ${standIn}/cpuinfo /proc/cpuinfo`,
      `mount --bind ${standIn}/meminfo /proc/meminfo`,
      'mount -t tmpfs -o mode=755 nestlab-sim-modules /sys/module',
    );
    if (sim.virtFlag !== null) lines.push('mkdir -p /sys/module/kvm/parameters');
    if (sim.kvmIntelNested !== null) {
      lines.push('mkdir -p /sys/module/kvm_intel/parameters', `echo ${sim.kvmIntelNested} > /sys/module/kvm_intel/parameters/nested`);
    }
    lines.push(...privateDevScript(join(dir, 'dev'), sim.devKvm));
    // A host without libvirt must not find the machine's own tools (a machine that runs the
    // real-VM tier has them): an overlay on /usr/bin and /usr/sbin whose whiteouts (0:0 device
    // nodes) remove them from the host's view, as if never installed.
    if (!sim.libvirt && real === undefined) {
      for (const folder of ['bin', 'sbin']) {
        const hide = `${dir}/hide-usr-${folder}`;
        lines.push(
          `mkdir -p ${hide}/upper ${hide}/work`,
          `for tool in ${HIDDEN_WITHOUT_LIBVIRT.join(' ')}; do if [ -e /usr/${folder}/$tool ]; then mknod ${hide}/upper/$tool c 0 0; fi; done`,
          `mount -t overlay nestlab-sim-usr-${folder} -o lowerdir=/usr/${folder},upperdir=${hide}/upper,workdir=${hide}/work /usr/${folder}`,
        );
      }
    }
    lines.push(
      `mount -t overlay nestlab-sim-var-lib -o lowerdir=/var/lib,upperdir=${dir}/overlay/upper,workdir=${dir}/overlay/work /var/lib`,
    );
    if (real !== undefined) lines.push(...real.daemons);
    else
      lines.push(
        'mkdir -p /var/lib/libvirt/images',
        // The stand-in sudo does not change user, so the images folder belongs to the test user.
        `mount -t tmpfs -o size=${sim.diskGiB}g,mode=755,uid=${TEST_UID},gid=${TEST_UID} nestlab-sim-images /var/lib/libvirt/images`,
      );
  }
  if (standInNetwork) {
    const socket = join(dir, 'sshd.sock');
    lines.push(
      `${process.execPath} ${namespaceRelay} ${socket} ${NAMESPACE_SSH_PORT} &`,
      `for attempt in $(seq 300); do [ -S ${socket} ] && break; sleep 0.05; done`,
    );
  }
  lines.push(`exec ${SSHD} -D -f ${dir}/sshd_config -E ${logPath} -h ${hostKeyPath} </dev/null 3<&-`, '');
  return lines.join('\n');
}

/**
 * Shell lines that give the host a /dev of its own: a tmpfs with the machine's harmless devices
 * bound in (null, zero, full, random, urandom, tty, net/tun), a new devpts instance for the sessions' ptys,
 * and /dev/kvm as the simulation wants it. Nothing depends on the machine's /dev/kvm, and nothing
 * is created in the machine's /dev (issue 15: binding over a /dev/kvm that is not there failed).
 */
function privateDevScript(staging: string, devKvm: LinuxSimulation['devKvm']): string[] {
  const lines = [
    `mkdir -p ${staging}`,
    `mount -t tmpfs -o mode=755 nestlab-sim-dev ${staging}`,
    `for name in null zero full random urandom tty; do touch ${staging}/$name; mount --bind /dev/$name ${staging}/$name; done`,
    // libvirt's guests get their NICs from /dev/net/tun (real-libvirt hosts).
    `if [ -c /dev/net/tun ]; then mkdir ${staging}/net; touch ${staging}/net/tun; mount --bind /dev/net/tun ${staging}/net/tun; fi`,
    `mkdir ${staging}/pts ${staging}/shm`,
    `mount -t devpts -o newinstance,ptmxmode=0666,mode=620 nestlab-sim-pts ${staging}/pts`,
    `ln -s pts/ptmx ${staging}/ptmx`,
    `mount -t tmpfs -o mode=1777 nestlab-sim-shm ${staging}/shm`,
    `ln -s /proc/self/fd ${staging}/fd`,
    `ln -s /proc/self/fd/0 ${staging}/stdin`,
    `ln -s /proc/self/fd/1 ${staging}/stdout`,
    `ln -s /proc/self/fd/2 ${staging}/stderr`,
  ];
  // 10:232 is the KVM device's number; the node only has to look like one (test -c, -r, -w).
  if (devKvm === 'device') lines.push(`mknod -m 660 ${staging}/kvm c 10 232`, `chgrp kvm ${staging}/kvm`);
  if (devKvm === 'regular-file') lines.push(`touch ${staging}/kvm`);
  lines.push(`mount --move ${staging} /dev`);
  return lines;
}

/**
 * Cloud images a lab plan can use as backing files on a simulated libvirt host. Labs tests write
 * them (small text files) over SSH; they are not there by default, so the preflight's free-disk
 * figure stays exactly the simulated size.
 */
export const SIMULATED_BASE_IMAGES = {
  linux: '/var/lib/libvirt/images/nestlab-base/jammy-server-cloudimg-amd64.img',
  windows: '/var/lib/libvirt/images/nestlab-base/windows-server-2022-cloudbase.qcow2',
} as const;
