import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../wait-for';
import { freePort } from './free-port';
import type { HostSimulation } from './profiles';
import { NAMESPACE_SSH_PORT, requireRealLibvirt, startLoopbackRelay, writeRealLibvirtConfig } from './real-libvirt';
import { installTools, namespaceScript, SSHD, TEST_UID, TEST_USER, writeSimulationState, writeUserDatabase } from './simulated-host-files';

const run = promisify(execFile);

/** A private key for the test user, as a file and as text. */
export interface ClientKey {
  path: string;
  privateKey: string;
  passphrase?: string;
}

/** Options for {@link startTestHost}. */
export interface TestHostOptions {
  simulation: HostSimulation;
  /** The test user's login password (also what the stand-in sudo asks for). Random by default. */
  password?: string;
  /** Allow password logins. Defaults to true. */
  passwordAuthentication?: boolean;
  /**
   * An "existing machine" of a lab (driver 'existing'): the in-VM stand-ins (vm/: sudo, kubeadm,
   * kubectl, cloud-init) come first on PATH and act on $NESTLAB_SIM_DIR/machine, as they act on a
   * stand-in VM's folder. Needs a simulation with the libvirt stand-ins (they bring vm/).
   */
  machine?: boolean;
  /**
   * The real libvirt stack instead of the stand-ins (real-libvirt.ts): libvirtd, QEMU and dnsmasq
   * in the host's own network namespace, reached through a relay on 127.0.0.1. Use a simulation
   * without the libvirt stand-ins and without a /dev/kvm device (QEMU runs in software).
   */
  realLibvirt?: boolean;
  /**
   * The stand-in libvirt host in a network namespace of its own, reached through a relay on
   * 127.0.0.1 as the real-libvirt host is. The TEST-NET ranges lab fixtures use are local
   * addresses there (a local route), so what listens on a lab address (HAProxy on the lab host,
   * a stand-in VM's API server) is reachable inside the host and nothing reaches the machine's network.
   */
  ownNetwork?: boolean;
  /** The type of the host key sshd presents. Default ed25519. */
  hostKeyType?: 'ed25519' | 'ecdsa' | 'rsa';
}

/** A real OpenSSH sshd on 127.0.0.1 standing in for one lab host. */
export interface TestHost {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** An authorized key without a passphrase. */
  readonly clientKey: ClientKey;
  /** An authorized key protected by a passphrase. */
  readonly encryptedClientKey: ClientKey & { passphrase: string };
  /** A key the host does not authorize (the wrong-key test). */
  readonly unauthorizedKey: ClientKey;
  /** Temp folder with the host's config, keys, logs and simulation state. */
  readonly dir: string;
  /** The folder the stand-ins read and write ($NESTLAB_SIM_DIR on the host). */
  readonly simDir: string;
  readonly sshdLogPath: string;
  /** `ssh-ed25519` and the host key's SHA256 fingerprint as OpenSSH's ssh-keygen prints it. */
  hostKey(): Promise<{ keyType: string; fingerprint: string }>;
  /** A known_hosts line for OpenSSH's own client (`[127.0.0.1]:port ssh-ed25519 AAAA...`). */
  knownHostsLine(): Promise<string>;
  /** Command lines of every SSH session so far (what `ps` on the host showed), one per line. */
  sessionCommandLines(): Promise<string>;
  /** argv of every stand-in sudo call so far. */
  sudoCalls(): Promise<string[][]>;
  /** Stop and start again on the same port with a freshly generated host key. */
  restartWithNewHostKey(): Promise<void>;
  /**
   * Loads nft rules (`nft -f` syntax) into the host's own network namespace, as root there (the
   * stand-in sudo does not change user): e.g. a firewall that drops a port. `ownNetwork` hosts only.
   */
  firewall(rules: string): Promise<void>;
  /** Stop sshd and every process of its sessions; the temp folder is removed. */
  stop(): Promise<void>;
}

/**
 * Start a real sshd in its own mount and PID namespace: stand-in files are bind-mounted over
 * /proc/cpuinfo, /proc/meminfo, /sys/module, /dev/kvm and /etc/{passwd,shadow,group}, a tmpfs of
 * the simulated size is mounted at /var/lib/libvirt/images, and PATH starts with the stand-in
 * tools. Killing the namespace's first process ends every session, so stopping leaves nothing.
 */
export async function startTestHost(options: TestHostOptions): Promise<TestHost> {
  if (!existsSync(SSHD)) {
    throw new Error(`${SSHD} is missing: install it with "apt-get install -y openssh-server".`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error('Test hosts need root (mount namespaces, a test user that exists only in them): run the tests as root.');
  }
  const dir = await mkdtemp(join(tmpdir(), 'nestlab-sshd-'));
  try {
    return await startInFolder(dir, options);
  } catch (error) {
    // Half a host is no host: its folder goes, and the caller sees the first error only.
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Start several test hosts at once. If any fails, the ones that started are stopped before the
 * first error is thrown, so a failed set-up leaves no sshd running and needs no teardown.
 */
export async function startTestHosts(list: readonly TestHostOptions[]): Promise<TestHost[]> {
  const results = await Promise.allSettled(list.map((options) => startTestHost(options)));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed === undefined) return results.map((result) => (result as PromiseFulfilledResult<TestHost>).value);
  const started = results.filter((result): result is PromiseFulfilledResult<TestHost> => result.status === 'fulfilled');
  await Promise.all(started.map((result) => result.value.stop().catch(() => undefined)));
  throw failed.reason;
}

async function startInFolder(dir: string, options: TestHostOptions): Promise<TestHost> {
  const sim = options.simulation;
  const realLibvirt = options.realLibvirt === true;
  const ownNetwork = realLibvirt || options.ownNetwork === true;
  if (realLibvirt) {
    requireRealLibvirt();
    if (sim.os !== 'linux' || sim.libvirt || sim.devKvm === 'device') {
      throw new Error('realLibvirt needs a Linux simulation without the libvirt stand-ins and without a /dev/kvm device.');
    }
  }
  const password = options.password ?? `pw-${randomBytes(9).toString('base64url')}`;
  // The test user must reach its home, keys and the stand-ins under this folder.
  await chmod(dir, 0o755);
  const simDir = join(dir, 'sim');
  const home = join(dir, 'home');
  const bin = join(dir, 'bin');
  for (const folder of [simDir, home, bin, join(dir, 'stand-in'), join(dir, 'overlay', 'upper'), join(dir, 'overlay', 'work')]) {
    await mkdir(folder, { recursive: true });
  }
  await chown(simDir, TEST_UID, TEST_UID);
  if (options.machine === true) {
    await mkdir(join(simDir, 'machine'));
    await chown(join(simDir, 'machine'), TEST_UID, TEST_UID);
  }
  await chown(home, TEST_UID, TEST_UID);

  const [clientKey, encryptedClientKey, unauthorizedKey] = await Promise.all([
    generateKey(join(dir, 'client_ed25519')),
    generateKey(join(dir, 'client_encrypted_ed25519'), `pass-${randomBytes(6).toString('hex')}`),
    generateKey(join(dir, 'stranger_ed25519')),
  ]);
  await writeFile(
    join(dir, 'authorized_keys'),
    (await readFile(`${clientKey.path}.pub`, 'utf8')) + (await readFile(`${encryptedClientKey.path}.pub`, 'utf8')),
    { mode: 0o644 },
  );
  await installTools(bin, sim, realLibvirt);
  await writeSimulationState(dir, simDir, sim, password);
  await writeUserDatabase(dir, home, password, sim.os === 'linux' && sim.libvirtGroup);

  // A real-libvirt host's sshd listens in its own network namespace; the test reaches it through a relay.
  const relay = ownNetwork ? await startLoopbackRelay(join(dir, 'sshd.sock')) : undefined;
  const port = relay?.port ?? (await freePort());
  if (realLibvirt) await writeRealLibvirtConfig(dir);
  const hostKeyType = options.hostKeyType ?? 'ed25519';
  const hostKeyPath = join(dir, `ssh_host_${hostKeyType}_key`);
  const sshdLogPath = join(dir, 'sshd.log');
  await writeFile(
    join(dir, 'sshd_config'),
    [
      `Port ${ownNetwork ? NAMESPACE_SSH_PORT : port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyPath}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      `PasswordAuthentication ${options.passwordAuthentication === false ? 'no' : 'yes'}`,
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      `AllowUsers ${TEST_USER}`,
      // Benchmarks and parallel tests open many connections quickly.
      'MaxStartups 200',
      'MaxSessions 100',
      'LogLevel VERBOSE',
      // Offline bundles are copied over SFTP, as OpenSSH's default configuration offers it.
      'Subsystem sftp internal-sftp',
      options.machine === true
        ? `SetEnv PATH=${bin}/vm:${bin}:/usr/local/bin:/usr/bin:/bin NESTLAB_SIM_DIR=${simDir} VM_ROOT=${simDir}/machine VM_NAME=machine`
        : `SetEnv PATH=${bin}:/usr/local/bin:/usr/bin:/bin NESTLAB_SIM_DIR=${simDir}`,
      '',
    ].join('\n'),
  );
  await writeFile(join(dir, 'enter-namespace.sh'), namespaceScript(dir, sim, hostKeyPath, sshdLogPath, realLibvirt, ownNetwork));

  let child: ChildProcess | undefined;
  let firewallRequests = 0;
  const start = async (): Promise<void> => {
    await rm(hostKeyPath, { force: true });
    await rm(`${hostKeyPath}.pub`, { force: true });
    await run('ssh-keygen', ['-q', '-t', hostKeyType, '-N', '', '-C', 'nestlab-test-host', '-f', hostKeyPath]);
    child = await startNamespace(dir, port, sshdLogPath, ownNetwork);
  };
  const stop = async (): Promise<void> => {
    const current = child;
    child = undefined;
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    // unshare --kill-child turns its own death into SIGKILL for the namespace's first process,
    // and the kernel then kills every process left in that PID namespace.
    current.kill('SIGKILL');
    await exited;
    // The namespace's sshd dies just after unshare does; a restart on the same port must not
    // race a listener that is still accepting with the old host key. (A relay keeps its port.)
    if (relay === undefined) await waitForPortClosed(port);
  };
  try {
    await start();
  } catch (error) {
    await relay?.close();
    throw error;
  }

  return {
    host: '127.0.0.1',
    port,
    user: TEST_USER,
    password,
    clientKey,
    encryptedClientKey: encryptedClientKey as ClientKey & { passphrase: string },
    unauthorizedKey,
    dir,
    simDir,
    sshdLogPath,
    hostKey: async () => {
      const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKeyPath}.pub`]);
      const fingerprint = /SHA256:\S+/.exec(stdout)?.[0];
      if (fingerprint === undefined) throw new Error(`unexpected ssh-keygen output: ${stdout}`);
      const keyType = { ed25519: 'ssh-ed25519', ecdsa: 'ecdsa-sha2-nistp256', rsa: 'ssh-rsa' }[hostKeyType];
      return { keyType, fingerprint };
    },
    knownHostsLine: async () => {
      const [type, blob] = (await readFile(`${hostKeyPath}.pub`, 'utf8')).split(' ');
      return `[127.0.0.1]:${port} ${type ?? ''} ${blob ?? ''}`;
    },
    sessionCommandLines: async () => readFile(join(simDir, 'session-argv.log'), 'utf8').catch(() => ''),
    sudoCalls: async () => {
      const text = await readFile(join(simDir, 'sudo-argv.log'), 'utf8').catch(() => '');
      return text
        .split('\0\n')
        .filter((record) => record.length > 0)
        .map((record) => record.split('\0'));
    },
    restartWithNewHostKey: async () => {
      await stop();
      await start();
    },
    firewall: async (rules) => {
      const stdin = child?.stdin;
      if (!ownNetwork || stdin == null) throw new Error('firewall() needs a running test host with ownNetwork');
      firewallRequests += 1;
      const path = join(dir, `firewall-${firewallRequests}.nft`);
      await writeFile(path, rules);
      stdin.write(`${path}\n`);
      const status = await waitFor(async () => (await readFile(`${path}.status`, 'utf8').catch(() => '')).trim() || undefined, {
        timeout: 20_000,
        interval: 50,
        description: `nft to load ${path}`,
      });
      if (status !== '0') throw new Error(`nft -f refused the rules (${status}): ${await readFile(`${path}.err`, 'utf8')}\n${rules}`);
    },
    stop: async () => {
      await stop();
      await relay?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function generateKey(path: string, passphrase?: string): Promise<ClientKey> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase ?? '', '-C', 'nestlab-test-client', '-f', path]);
  const privateKey = await readFile(path, 'utf8');
  return passphrase === undefined ? { path, privateKey } : { path, privateKey, passphrase };
}

async function startNamespace(dir: string, port: number, logPath: string, ownNetwork: boolean): Promise<ChildProcess> {
  // Its own PID namespace needs its own /proc: the stand-in systemctl finds its main processes there
  // (a host's PID is no PID of the machine's /proc) and libvirtd reads its processes' start times there.
  const network = ownNetwork ? ['--net'] : [];
  const child = spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--pid',
      '--fork',
      '--kill-child',
      '--mount-proc',
      ...network,
      '--',
      '/bin/bash',
      join(dir, 'enter-namespace.sh'),
    ],
    // stdin stays open for the namespace's lifetime: its end tells the namespace the test process is gone.
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => {
      void readFile(logPath, 'utf8')
        .catch(() => '')
        .then((log) => reject(new Error(`test sshd exited (${String(code)}): ${stderr}${log}`)));
    }),
  );
  // Unhandled if sshd exits later during normal stop; the readiness race below consumes it.
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForBanner(port), exited]);
  } catch (error) {
    // sshd never answered: end the namespace (if it still runs) so a failed start leaves nothing.
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
    throw error;
  }
  return child;
}

/** Resolve once the port answers with an SSH banner (sshd is accepting connections); 30 s allows for six hosts starting at once on a loaded 2-core machine. */
async function waitForBanner(port: number, deadline = Date.now() + 30_000): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(1000);
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('SSH-'));
      });
      socket.once('error', () => resolve(false));
      // A relay closes the connection while the namespace's sshd is not up yet.
      socket.once('close', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`test sshd did not answer on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Resolve once nothing accepts connections on the port any more. */
async function waitForPortClosed(port: number, deadline = Date.now() + 10_000): Promise<void> {
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections after the test sshd was stopped`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
