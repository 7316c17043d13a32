import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_UID, TEST_USER } from './simulated-host-files';

/**
 * A test host with the real libvirt stack (issue 18): libvirtd, virtlogd, QEMU (software
 * emulation), qemu-img, cloud-localds and libvirt's dnsmasq run inside the host's own network,
 * mount and PID namespaces. Lab networks (192.168.x) exist only there. The test reaches the host's
 * sshd through a Unix socket relay, so its traffic stays on 127.0.0.1 and no lab address is ever
 * added to the machine's own network namespace (not even a veth end).
 */

/** Debian packages the real tier needs (installed by the test provisioning). */
export const REAL_LIBVIRT_PACKAGES = [
  'libvirt-daemon-system',
  'libvirt-clients',
  'qemu-system-x86',
  'qemu-utils',
  'virtinst',
  'cloud-image-utils',
  'dnsmasq-base',
  'sudo',
] as const;

const LIBVIRT_PROGRAMS = [
  '/usr/sbin/libvirtd',
  '/usr/sbin/virtlogd',
  '/usr/bin/virsh',
  '/usr/bin/qemu-system-x86_64',
  '/usr/bin/virt-install',
];

/** Throws naming the packages to install when the real libvirt stack is not on this machine. */
export function requireRealLibvirt(): void {
  const missing = LIBVIRT_PROGRAMS.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(
      `The real libvirt tier needs ${missing.join(', ')}: run \`apt-get install -y --no-install-recommends ${REAL_LIBVIRT_PACKAGES.join(' ')}\` (npm test does this as root).`,
    );
  }
}

/** The sshd's port inside the host's own network namespace (nothing else listens there). */
export const NAMESPACE_SSH_PORT = 22;

const relayScript = join(dirname(fileURLToPath(import.meta.url)), 'namespace-relay.mjs');
const systemctlStandIn = join(dirname(fileURLToPath(import.meta.url)), 'simulations', 'systemctl');

/**
 * The host's configuration as a user sets up a lab host: members of group libvirt use
 * qemu:///system without polkit (there is no polkit daemon in the namespace), and the test user
 * may use the real sudo without a password (root-owned, 0440, as sudo insists).
 */
export async function writeRealLibvirtConfig(dir: string): Promise<void> {
  await writeFile(
    join(dir, 'libvirtd.conf'),
    ['unix_sock_group = "libvirt"', 'unix_sock_rw_perms = "0770"', 'auth_unix_rw = "none"', 'auth_unix_ro = "none"', ''].join('\n'),
  );
  await writeFile(join(dir, 'sudoers'), `Defaults !lecture\n${TEST_USER} ALL=(ALL:ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  // systemd cannot be PID 1 of the namespace: systemctl (first on the host's PATH, which sudo
  // keeps) is the stand-in, which runs the units' REAL programs (HAProxy) as systemd would. sudo
  // drops other variables, so the stand-in's state folder is set here.
  await writeFile(join(dir, 'bin', 'systemctl'), `#!/bin/sh\nNESTLAB_SIM_DIR=${join(dir, 'sim')} exec ${systemctlStandIn} "$@"\n`, {
    mode: 0o755,
  });
}

/**
 * Shell lines for the namespace script, run before sshd: loopback up, private /run, libvirt's
 * state folders on tmpfs (definitions in a folder of the host's own, never the machine's
 * /etc/libvirt), the daemons, a default storage pool, and the relay to the test's socket.
 */
export function realLibvirtScript(dir: string, diskGiB: number): { early: string[]; daemons: string[] } {
  const socket = join(dir, 'sshd.sock');
  const early = [
    'ip link set lo up',
    'mount -t tmpfs -o mode=755 nestlab-sim-run /run',
    'mkdir -p /run/sshd /run/libvirt /run/sudo',
    // What root writes to /etc on this host (systemd units, HAProxy configurations) stays in the
    // host's folder: an overlay over the machine's /etc, and a units folder of its own.
    `mkdir -p ${dir}/etc-overlay/upper ${dir}/etc-overlay/work`,
    `mount -t overlay nestlab-real-etc -o lowerdir=/etc,upperdir=${dir}/etc-overlay/upper,workdir=${dir}/etc-overlay/work /etc`,
    'mkdir -p /etc/systemd',
    'mount -t tmpfs -o mode=755 nestlab-real-units /etc/systemd/system',
    `mount --bind ${join(dir, 'sudoers')} /etc/sudoers`,
  ];
  const daemons = [
    'mount -t tmpfs -o mode=755 nestlab-sim-libvirt-log /var/log/libvirt',
    // Every definition libvirtd saves (qemu/, qemu/networks/, storage/) lands in the host's own
    // copy of /etc/libvirt, never in the machine's. The Debian default network is left out.
    `cp -a /etc/libvirt ${dir}/libvirt-etc`,
    `rm -rf ${dir}/libvirt-etc/qemu/networks ${dir}/libvirt-etc/storage`,
    // libvirt gives each QEMU a /dev of its own, rebuilt from the mounts it sees under /dev; where
    // the machine's /dev itself holds stacked mounts (scripts/machine-view.sh), it picked the
    // machine's devpts (ptmxmode 000) and QEMU could not open its serial console's pty. The host
    // already has a private /dev, so QEMU uses it as it is.
    `echo 'namespaces = []' >> ${dir}/libvirt-etc/qemu.conf`,
    `mount --bind ${dir}/libvirt-etc /etc/libvirt`,
    `mount -t tmpfs -o size=${diskGiB}g,mode=755 nestlab-sim-libvirt /var/lib/libvirt`,
    'mkdir -p /var/lib/libvirt/images /var/lib/libvirt/qemu /var/lib/libvirt/dnsmasq /var/lib/libvirt/boot',
    `chown ${TEST_UID}:${TEST_UID} /var/lib/libvirt/images`,
    '/usr/sbin/virtlogd -d',
    `/usr/sbin/libvirtd -d -f ${join(dir, 'libvirtd.conf')}`,
    // libvirtd answers within a few seconds; the pool is what `virsh pool-define-as` makes on a new host.
    'for attempt in $(seq 300); do virsh -c qemu:///system version >/dev/null 2>&1 && break; sleep 0.1; done',
    'virsh -c qemu:///system pool-define-as default dir --target /var/lib/libvirt/images >/dev/null',
    'virsh -c qemu:///system pool-start default >/dev/null',
    'virsh -c qemu:///system pool-autostart default >/dev/null',
    `${process.execPath} ${relayScript} ${socket} ${NAMESPACE_SSH_PORT} &`,
    `for attempt in $(seq 300); do [ -S ${socket} ] && break; sleep 0.05; done`,
  ];
  return { early, daemons };
}

/** A TCP listener on 127.0.0.1 (a free port) whose connections go to the namespace's relay socket. */
export async function startLoopbackRelay(socketPath: string): Promise<{ port: number; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(socketPath);
    open.add(client);
    client.on('close', () => open.delete(client));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no TCP port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}
