// Installs the system packages the tests need (Debian's chromium and openssh-server), or says
// exactly what is missing and why root is needed. Part of `npm test`; safe to run again.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const realLibvirt = 'the real-VM tier runs libvirt and QEMU in a test host of its own';
const needs = [
  { pkg: 'chromium', path: '/usr/bin/chromium', why: 'end-to-end tests drive Debian Chromium' },
  { pkg: 'openssh-server', path: '/usr/sbin/sshd', why: 'SSH tests run a real sshd on loopback' },
  { pkg: 'libvirt-daemon-system', path: '/usr/sbin/libvirtd', why: realLibvirt, lean: true },
  { pkg: 'libvirt-clients', path: '/usr/bin/virsh', why: realLibvirt, lean: true },
  { pkg: 'qemu-system-x86', path: '/usr/bin/qemu-system-x86_64', why: realLibvirt, lean: true },
  { pkg: 'qemu-utils', path: '/usr/bin/qemu-img', why: realLibvirt, lean: true },
  { pkg: 'virtinst', path: '/usr/bin/virt-install', why: realLibvirt, lean: true },
  { pkg: 'cloud-image-utils', path: '/usr/bin/cloud-localds', why: realLibvirt, lean: true },
  { pkg: 'dnsmasq-base', path: '/usr/sbin/dnsmasq', why: realLibvirt, lean: true },
  { pkg: 'sudo', path: '/usr/bin/sudo', why: realLibvirt, lean: true },
  {
    pkg: 'containerd',
    path: '/usr/bin/ctr',
    why: "registry-mirror tests give a lab's containerd files to the real containerd and ctr",
    lean: true,
  },
  { pkg: 'fish', path: '/usr/bin/fish', why: 'remote-command tests run on a host whose login shell is not POSIX' },
  {
    pkg: 'haproxy',
    path: '/usr/sbin/haproxy',
    why: "a lab's API endpoint is served by the real HAProxy on the simulated lab host",
    lean: true,
  },
  { pkg: 'curl', path: '/usr/bin/curl', why: 'the API endpoint tests call it from inside the lab network', lean: true },
  {
    pkg: 'nftables',
    path: '/usr/sbin/nft',
    why: "the SSH-tunnel test firewalls a lab's API port inside the simulated lab host's network namespace",
    lean: true,
  },
  {
    pkg: 'etcd-client',
    path: '/usr/bin/etcdctl',
    why: "etcd snapshot tests run Debian's real etcdctl on a simulated control plane against a real etcd",
    lean: true,
  },
  { pkg: 'python3-minimal', path: '/usr/bin/python3', why: "the simulated lab host's systemctl runs unit files with python3", lean: true },
];

export function provisionTestDeps(log = console.log) {
  if (process.getuid?.() !== 0) {
    // Said once, up front, instead of as one failure per test file that starts a test host.
    throw new Error(
      'npm test needs root: its SSH test hosts run a real sshd in private mount and PID namespaces with a test user ' +
        'that exists only there, and it installs missing Debian packages. Run `sudo npm test`; ' +
        '`npm run test:unit` runs the unit tests as any user.',
    );
  }
  const missing = needs.filter((need) => !existsSync(need.path));
  if (missing.length === 0) return provisionDebianKubectl(log);
  const list = missing.map((need) => need.pkg).join(' ');
  const reasons = missing.map((need) => `${need.pkg} (${need.why})`).join(', ');
  if (!existsSync('/usr/bin/apt-get')) {
    throw new Error(`Tests need ${reasons}, and this is not a Debian-like system with apt-get. Install them with your package manager.`);
  }
  log(`Installing ${list} with apt-get (needed: ${reasons})...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  // Chromium keeps its recommends (fonts); libvirt's (lean) would pull in a desktop's worth of packages.
  for (const lean of [false, true]) {
    const packages = missing.filter((need) => (need.lean === true) === lean).map((need) => need.pkg);
    if (packages.length === 0) continue;
    execFileSync('apt-get', ['install', '-y', '-qq', ...(lean ? ['--no-install-recommends'] : []), ...packages], { stdio: 'inherit', env });
  }
  provisionDebianKubectl(log);
}

/**
 * A second real kubectl for the kubectl shelf tests: Debian's kubernetes-client (1.20), unpacked with
 * dpkg-deb -x into the cache (never installed, so the machine's own kubectl stays as it is).
 */
export function debianKubectlPath() {
  return join(process.env.NESTLAB_CACHE_DIR ?? join(homedir(), '.cache', 'nestlab'), 'kubectl-debian', 'usr', 'bin', 'kubectl');
}

function provisionDebianKubectl(log) {
  const target = debianKubectlPath();
  if (existsSync(target)) return;
  const root = join(target, '..', '..', '..');
  log(`Unpacking Debian's kubernetes-client into ${root} (the kubectl shelf tests' second real kubectl)...`);
  const work = mkdtempSync(join(tmpdir(), 'nestlab-kubectl-deb-'));
  try {
    const download = () => execFileSync('apt-get', ['download', '-qq', 'kubernetes-client'], { cwd: work, stdio: 'inherit' });
    try {
      download();
    } catch {
      // A fresh machine may have no package lists yet.
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
      download();
    }
    const deb = readdirSync(work).find((name) => name.endsWith('.deb'));
    if (deb === undefined) throw new Error('apt-get download kubernetes-client gave no .deb');
    execFileSync('dpkg-deb', ['-x', join(work, deb), join(work, 'root')]);
    mkdirSync(join(root, '..'), { recursive: true });
    rmSync(root, { recursive: true, force: true });
    renameSync(join(work, 'root'), root);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
