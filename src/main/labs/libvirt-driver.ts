/**
 * The libvirt driver: qcow2 disks on the plan's backing image, a cloud-init NoCloud seed made by
 * cloud-localds, virt-install with the host's CPU passed through, a NAT network of the lab's own,
 * and each VM's address from the network's DHCP lease. Every step observes before it acts.
 */
import type { LabMachine, LabPlan, MachinePower } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { endpointService } from '../../shared/lab-endpoint';
import { dhcpReservations, endpointHostEntry, ensureLoadBalancer, machineMac, removeLoadBalancer, reservedAddress } from './api-endpoint';
import { linuxUserData, metaData, windowsUserData } from './cloud-init';
import { diskPath, libvirtPaths, seedPath, VM_USER } from './lab-paths';
import type { LibvirtLabPaths } from './lab-paths';
import { parseDomstate, SHUTDOWN_GRACE_MS, stepPowerReader, waitUntilOff } from './day2/vm-power';
import type { PowerReader } from './day2/vm-power';
import type { HostInvocation, LabDriver } from './lab-driver';
import { bundleCopyDetail, checkBundleOnHost } from './offline-bundle';
import { writeFileArgv } from './remote-file';
import { gatewayOf, netmaskOf, numberToIpv4, parseCidr } from './plan-validation';
import { addressOf, done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';

const VIRSH = ['virsh', '-c', 'qemu:///system'] as const;
const SHUTDOWN_GRACE_S = SHUTDOWN_GRACE_MS / 1000;
/** libvirt's namespace for dnsmasq options of a network (libvirt 5.6 and later). */
const DNSMASQ_NAMESPACE = 'http://libvirt.org/schemas/network/dnsmasq/1.0';

export function virsh(...args: string[]): string[] {
  return [...VIRSH, ...args];
}

function xmlEscape(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll("'", '&apos;').replaceAll('"', '&quot;');
}

/**
 * The lab's NAT network: libvirt's dnsmasq hands out the plan's pool by DHCP, with fixed
 * reservations for the control planes, and answers the API endpoint name with the endpoint
 * address. With three control planes that address is the host's own on the lab bridge (a /32
 * beside the gateway), where HAProxy listens, and the DHCP answers name the subnet's broadcast
 * address themselves (found on a real host: dnsmasq took the /32's).
 */
export function networkXml(plan: LabPlan, paths: LibvirtLabPaths, labId: string): string {
  const cidr = parseCidr(plan.network.cidr);
  if (cidr === undefined) throw new Error('the plan was validated');
  const entry = endpointHostEntry(plan);
  const dns =
    entry === undefined
      ? []
      : [
          '  <dns>',
          `    <host ip='${xmlEscape(entry.ip)}'>`,
          `      <hostname>${xmlEscape(entry.name)}</hostname>`,
          '    </host>',
          '  </dns>',
        ];
  const reservations = dhcpReservations(plan, labId).map(
    (host) => `      <host mac='${host.mac}' name='${xmlEscape(host.name)}' ip='${xmlEscape(host.ip)}'/>`,
  );
  const onHost = endpointService(plan).kind === 'nestlab' && plan.controlPlaneCount === 3;
  return [
    onHost ? `<network xmlns:dnsmasq='${DNSMASQ_NAMESPACE}'>` : '<network>',
    `  <name>${xmlEscape(paths.network)}</name>`,
    "  <forward mode='nat'/>",
    ...dns,
    `  <ip address='${gatewayOf(cidr)}' netmask='${netmaskOf(cidr.prefix)}'>`,
    '    <dhcp>',
    `      <range start='${xmlEscape(plan.network.poolStart)}' end='${xmlEscape(plan.network.poolEnd)}'/>`,
    ...reservations,
    '    </dhcp>',
    '  </ip>',
    ...(onHost
      ? [
          `  <ip address='${xmlEscape(plan.apiEndpoint.address)}' prefix='32'/>`,
          // dnsmasq takes the broadcast address it hands out from the bridge's LAST address in the
          // pool's subnet, here the endpoint's /32: the VMs would get `brd <endpoint>` and could not
          // connect to the endpoint at all ("network is unreachable"). The real one, said outright.
          '  <dnsmasq:options>',
          `    <dnsmasq:option value='dhcp-option=28,${numberToIpv4(cidr.broadcast)}'/>`,
          '  </dnsmasq:options>',
        ]
      : []),
    '</network>',
    '',
  ].join('\n');
}

/**
 * virt-install reads a --disk or --network value as comma-separated key=value options, split
 * like a shell splits words (quotes and backslashes included): a storage path with a comma would
 * add options of its own (`/srv/x,device=cdrom,...`). Such a path is refused, naming the fix.
 */
const VIRT_INSTALL_SPECIAL = /[,'"\\]/;

/** The problem with a storage path for virt-install, if any. */
export function storagePathProblem(storagePath: string): string | undefined {
  const found = VIRT_INSTALL_SPECIAL.exec(storagePath)?.[0];
  if (found === undefined) return undefined;
  return `The host's storage path ${storagePath} contains ${found === ',' ? 'a comma' : `the character ${found}`}, which virt-install reads as part of its option syntax (a comma starts another option). Choose a storage path without commas, quotes or backslashes for this host in the Hosts view.`;
}

/** How libvirt on the host runs guests: KVM (hardware), or QEMU's software emulation (TCG). */
export type Acceleration = 'kvm' | 'qemu';

/** Whether `virsh capabilities` offers KVM guests. */
export function accelerationIn(capabilities: string): Acceleration {
  return /<domain type=['"]kvm['"]/.test(capabilities) ? 'kvm' : 'qemu';
}

/**
 * virt-install's arguments for one VM (imported disk, seed as CD-ROM). With KVM the host's CPU is
 * passed through (nested virtualization needs it); QEMU's software emulation refuses
 * host-passthrough ("not supported by hypervisor", found by the real-libvirt tier), so there the
 * VM gets libvirt's default CPU and the virt type is said explicitly.
 */
export function virtInstallArgs(
  plan: LabPlan,
  machine: LabMachine,
  paths: LibvirtLabPaths,
  acceleration: Acceleration = 'kvm',
  labId = '',
): string[] {
  const problem = storagePathProblem(paths.storageDir);
  if (problem !== undefined) throw new AppError('INVALID_ARGUMENT', problem, { field: 'storagePath' });
  // A control plane's MAC is the one its DHCP reservation names.
  const mac = reservedAddress(plan, machine) === undefined ? '' : `,mac=${machineMac(labId, machine.name)}`;
  const network =
    plan.network.mode === 'nat' ? `network=${paths.network},model=virtio${mac}` : `bridge=${plan.network.bridge ?? ''},model=virtio`;
  const windows = machine.os === 'windows';
  return [
    'virt-install',
    '--name',
    machine.name,
    '--memory',
    String(machine.size.memoryMiB),
    '--vcpus',
    String(machine.size.cpus),
    ...(acceleration === 'kvm' ? ['--cpu', 'host-passthrough'] : ['--virt-type', 'qemu']),
    '--os-variant',
    windows ? 'win2k22' : 'ubuntu22.04',
    '--import',
    '--disk',
    `path=${diskPath(paths.storageDir, machine.name, 'qcow2')},format=qcow2,bus=${windows ? 'sata' : 'virtio'}`,
    '--disk',
    seedDisk(seedPath(paths.storageDir, machine.name), windows),
    '--network',
    network,
    '--graphics',
    'none',
    '--noautoconsole',
    '--metadata',
    `description=nestlab lab ${plan.name}`,
  ];
}

/**
 * The NoCloud seed as virt-install attaches it. cloud-init finds it by its label (cidata) on any
 * block device; Linux guests get it as a read-only virtio disk, because a CD-ROM sits on SATA on
 * libvirt's q35 machine and Debian's cloud kernel has no AHCI driver (its genericcloud images, and
 * the real-VM tier's guest, never saw the seed). Windows (cloudbase-init) keeps the CD-ROM: it has
 * AHCI, and no virtio drivers until they are installed.
 */
export function seedDisk(path: string, windows: boolean): string {
  return windows ? `path=${path},device=cdrom` : `path=${path},device=disk,bus=virtio,format=raw,readonly=on`;
}

/** The address in `virsh domifaddr --source lease` output (first IPv4), if any. */
export function parseDomifaddr(output: string): string | undefined {
  return /\bipv4\s+(\d+\.\d+\.\d+\.\d+)\/\d+/.exec(output)?.[1];
}

/** The argv that runs `remote` (an already quoted command line) on a VM from the host, with the lab's key. */
export function sshToVm(paths: LibvirtLabPaths, address: string, remote: string): string[] {
  return [
    'ssh',
    '-i',
    paths.key,
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    `UserKnownHostsFile=${paths.knownHosts}`,
    '-o',
    'ConnectTimeout=10',
    '-o',
    'LogLevel=ERROR',
    `${VM_USER}@${address}`,
    '--',
    remote,
  ];
}

export class LibvirtDriver implements LabDriver {
  readonly paths: LibvirtLabPaths;
  private detected: Acceleration | undefined;

  constructor(
    private readonly plan: LabPlan,
    storagePath: string,
    private readonly labId: string,
  ) {
    this.paths = libvirtPaths(storagePath, plan.name);
  }

  /** The lab folders and its SSH key pair (made on the host; the private key never leaves it). */
  async prepare(ctx: StepContext): Promise<StepOutcome> {
    const base = await ctx.observeHost(['test', '-e', this.plan.baseImage], { root: true });
    if (base.exitCode !== 0 && !ctx.dry) {
      throw new AppError(
        'NOT_FOUND',
        `The base image ${this.plan.baseImage} is not on the host. Download a cloud image there (e.g. Ubuntu 22.04 jammy-server-cloudimg-amd64.img) or change the plan's base image.`,
      );
    }
    const windowsImage = this.plan.windowsWorkers > 0 ? this.plan.windowsBaseImage : undefined;
    if (windowsImage !== undefined) {
      const present = await ctx.observeHost(['test', '-e', windowsImage], { root: true });
      if (present.exitCode !== 0 && !ctx.dry)
        throw new AppError('NOT_FOUND', `The Windows image ${windowsImage} is not on the host. Copy it there or change the plan.`);
    }
    const key = await ctx.observeHost(['test', '-e', this.paths.key]);
    await ctx.host(['mkdir', '-p', '-m', '700', this.paths.homeDir]);
    await ctx.host(['mkdir', '-p', this.paths.storageDir], { root: true });
    await this.ensurePool(ctx);
    if (key.exitCode === 0) return skipped('The lab key exists.');
    await ctx.host(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `nestlab-${this.plan.name}`, '-f', this.paths.key]);
    return done();
  }

  /**
   * A storage pool over the lab's folder, defined before any VM: otherwise virt-install defines one
   * for the folder of each disk it is given, two VMs created at once race for it ("pool ... already
   * exists", found by the real-libvirt tier), and the pool outlives the lab.
   */
  private async ensurePool(ctx: StepContext): Promise<void> {
    const info = await ctx.observeHost(virsh('pool-info', this.paths.pool), { root: true });
    if (info.exitCode !== 0) {
      await ctx.host(virsh('pool-define-as', this.paths.pool, 'dir', '--target', this.paths.storageDir), { root: true });
    }
    if (!/^State:\s+running/m.test(info.stdout)) {
      await ctx.host(virsh('pool-start', this.paths.pool), { root: true });
      await ctx.host(virsh('pool-autostart', this.paths.pool), { root: true });
    }
  }

  async publicKey(ctx: StepContext): Promise<string> {
    if (ctx.dry) return 'ssh-ed25519 <the lab key> nestlab';
    return (await ctx.host(['cat', `${this.paths.key}.pub`])).stdout.trim();
  }

  async ensureNetwork(ctx: StepContext): Promise<StepOutcome> {
    if (this.plan.network.mode === 'bridge') {
      const bridge = this.plan.network.bridge ?? '';
      const present = await ctx.observeHost(['ip', 'link', 'show', bridge]);
      if (present.exitCode !== 0 && !ctx.dry)
        throw new AppError('NOT_FOUND', `The bridge ${bridge} does not exist on the host. Create it or choose NAT.`);
      return skipped(`VMs attach to the host bridge ${bridge}.`);
    }
    const info = await ctx.observeHost(virsh('net-info', this.paths.network), { root: true });
    const defined = info.exitCode === 0;
    const active = defined && /^Active:\s+yes/m.test(info.stdout);
    if (active) return skipped(`Network ${this.paths.network} is active.`);
    if (!defined) {
      const file = `${this.paths.storageDir}/network.xml`;
      const xml = networkXml(this.plan, this.paths, this.labId);
      await ctx.host(writeFileArgv(file, '0644', xml), { root: true, stdin: xml, stdinLabel: '<network.xml>' });
      await ctx.host(virsh('net-define', file), { root: true });
    }
    await ctx.host(virsh('net-start', this.paths.network), { root: true });
    await ctx.host(virsh('net-autostart', this.paths.network), { root: true });
    return done();
  }

  /** Disk, seed and VM, each only when missing; a defined but stopped VM is started. */
  async ensureVm(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
    const state = await ctx.observeHost(virsh('domstate', machine.name), { root: true });
    if (state.exitCode === 0) {
      // A run cut between virt-install and `virsh autostart` left the domain without it.
      await this.ensureAutostart(ctx, machine);
      if (/running/.test(state.stdout)) return skipped(`${machine.name} is running.`);
      await ctx.host(virsh('start', machine.name), { root: true });
      return done(`${machine.name} was stopped and is started.`);
    }
    const disk = diskPath(this.paths.storageDir, machine.name, 'qcow2');
    const seed = seedPath(this.paths.storageDir, machine.name);
    const base = machine.os === 'windows' ? (this.plan.windowsBaseImage ?? '') : this.plan.baseImage;
    ctx.progress(0.1, 'disk');
    if ((await ctx.observeHost(['test', '-e', disk], { root: true })).exitCode !== 0) {
      await ctx.host(['qemu-img', 'create', '-f', 'qcow2', '-F', 'qcow2', '-b', base, disk, `${machine.size.diskGiB}G`], { root: true });
    }
    ctx.progress(0.4, 'seed');
    if ((await ctx.observeHost(['test', '-e', seed], { root: true })).exitCode !== 0) {
      const key = await this.publicKey(ctx);
      const userData =
        machine.os === 'windows' ? windowsUserData(machine, key, endpointHostEntry(this.plan)) : linuxUserData(machine, this.plan, key);
      const seedDir = `${this.paths.storageDir}/${machine.name}-seed`;
      const meta = metaData(machine, this.labId);
      await ctx.host(writeFileArgv(`${seedDir}/user-data`, '0644', userData), { root: true, stdin: userData, stdinLabel: '<user-data>' });
      await ctx.host(writeFileArgv(`${seedDir}/meta-data`, '0644', meta), { root: true, stdin: meta, stdinLabel: '<meta-data>' });
      await ctx.host(['cloud-localds', seed, `${seedDir}/user-data`, `${seedDir}/meta-data`], { root: true });
    }
    ctx.progress(0.7, 'virt-install');
    const acceleration = await this.acceleration(ctx);
    await ctx.host(virtInstallArgs(this.plan, machine, this.paths, acceleration, this.labId), { root: true, timeoutMs: 300_000 });
    await ctx.host(virsh('autostart', machine.name), { root: true });
    return done();
  }

  /** The VM starts with the host (libvirtd starts autostart domains when it starts). */
  private async ensureAutostart(ctx: StepContext, machine: LabMachine): Promise<void> {
    const info = await ctx.observeHost(virsh('dominfo', machine.name), { root: true });
    if (/^Autostart:\s+enable/m.test(info.stdout)) return;
    await ctx.host(virsh('autostart', machine.name), { root: true });
  }

  async powerStates(reader: PowerReader, machines: readonly LabMachine[]): Promise<Map<string, MachinePower>> {
    const states = await Promise.all(
      machines.map(
        async (machine) => [machine.name, parseDomstate(machine.name, await reader.run(virsh('domstate', machine.name)))] as const,
      ),
    );
    return new Map(states);
  }

  private async power(ctx: StepContext, machine: LabMachine): Promise<MachinePower> {
    if (ctx.dry) return { state: 'other', detail: '<its state>' };
    const power = (await this.powerStates(stepPowerReader(ctx), [machine])).get(machine.name);
    if (power === undefined || power.state === 'absent') {
      throw new AppError('NOT_FOUND', `The lab host has no VM named ${machine.name}.`, {
        machine: machine.name,
        fix: 'Recreate the machine (workers), or check the host with virsh list --all.',
      });
    }
    return power;
  }

  async startVm(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
    const power = await this.power(ctx, machine);
    if (power.state === 'running') return skipped(`${machine.name} is running.`);
    // A paused guest continues where it was; virsh start refuses a domain that is not off.
    await ctx.host(virsh(power.state === 'paused' ? 'resume' : 'start', machine.name), { root: true });
    return done();
  }

  async stopVm(ctx: StepContext, machine: LabMachine, mode: 'shutdown' | 'turn-off'): Promise<StepOutcome> {
    const power = await this.power(ctx, machine);
    if (power.state === 'off') return skipped(`${machine.name} is off.`);
    const turnOff = () => ctx.host(virsh('destroy', machine.name), { root: true });
    // A paused or crashed guest cannot take an ACPI request.
    if (mode === 'turn-off' || power.state === 'paused' || power.state === 'crashed') {
      await turnOff();
      return done(mode === 'turn-off' ? `${machine.name} was turned off.` : `${machine.name} was ${power.detail} and is turned off.`);
    }
    // virsh shutdown only asks the guest (ACPI) and returns; the domain is "in shutdown" until it is off.
    if (power.state !== 'stopping') await ctx.host(virsh('shutdown', machine.name), { root: true });
    const read = async () => (await this.powerStates(stepPowerReader(ctx), [machine])).get(machine.name) ?? { state: 'absent', detail: '' };
    if (await waitUntilOff(ctx, read)) return done(`${machine.name} shut down.`);
    ctx.log(`${machine.name} did not shut down within ${SHUTDOWN_GRACE_S} s of the request: it is turned off (virsh destroy).`);
    await turnOff();
    return done(`${machine.name} did not shut down in time and was turned off.`);
  }

  /**
   * Under software emulation a VM boots several times slower (a Debian guest on a busy 2-core host
   * took over 5 minutes to its DHCP lease in the real-libvirt tier): its address may take 30 minutes.
   */
  async bootTimeoutMs(ctx: StepContext): Promise<number> {
    return (await this.acceleration(ctx)) === 'qemu' ? 1_800_000 : 300_000;
  }

  /** KVM or software emulation, as libvirt on the host offers (a dry run assumes KVM, the usual lab host); asked once. */
  private async acceleration(ctx: StepContext): Promise<Acceleration> {
    if (ctx.dry) return 'kvm';
    if (this.detected !== undefined) return this.detected;
    const acceleration = accelerationIn((await ctx.observeHost(virsh('capabilities'), { root: true, secretOutput: true })).stdout);
    this.detected = acceleration;
    if (acceleration === 'qemu') {
      ctx.log(
        'libvirt on this host offers no KVM: the VM runs under QEMU software emulation (several times slower, no nested virtualization).',
      );
    }
    return acceleration;
  }

  /** One look at the DHCP lease; undefined while the VM has none. */
  async address(ctx: StepContext, machine: LabMachine): Promise<string | undefined> {
    const result = await ctx.observeHost(virsh('domifaddr', machine.name, '--source', 'lease'), { root: true });
    return result.exitCode === 0 ? parseDomifaddr(result.stdout) : undefined;
  }

  async copyBundleToVm(ctx: StepContext, machine: LabMachine): Promise<void> {
    const address = addressOf(ctx, machine);
    await ctx.host([
      'scp',
      '-r',
      '-q',
      '-i',
      this.paths.key,
      '-o',
      'BatchMode=yes',
      '-o',
      `UserKnownHostsFile=${this.paths.knownHosts}`,
      `${this.paths.homeDir}/bundle`,
      `${VM_USER}@${address}:nestlab-bundle`,
    ]);
  }

  vmInvocation(address: string, remote: string): HostInvocation {
    return { argv: sshToVm(this.paths, address, remote) };
  }

  /** The bundle goes to <home>/.nestlab/labs/<lab>/bundle on the host (checked, over SFTP, resumable), and the host checks its copy. */
  async uploadBundle(ctx: StepContext): Promise<StepOutcome> {
    const target = `${this.paths.homeDir}/bundle`;
    const copied = await ctx.copyBundleToHost(target);
    await checkBundleOnHost(ctx, target);
    return done(bundleCopyDetail(copied));
  }

  /** Stop and undefine the VM, then remove its disk, seed and known_hosts entry. */
  async deleteVm(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
    const state = await ctx.observeHost(virsh('domstate', machine.name), { root: true });
    if (state.exitCode === 0) {
      // Running, paused or in shutdown: libvirt undefines only a domain that is off.
      if (!/shut off/.test(state.stdout) || ctx.dry) await ctx.host(virsh('destroy', machine.name), { root: true });
      await ctx.host(virsh('undefine', machine.name), { root: true });
    }
    const seedDir = `${this.paths.storageDir}/${machine.name}-seed`;
    await ctx.host(
      ['rm', '-rf', '--', diskPath(this.paths.storageDir, machine.name, 'qcow2'), seedPath(this.paths.storageDir, machine.name), seedDir],
      { root: true },
    );
    if (machine.address !== undefined) await ctx.observeHost(['ssh-keygen', '-R', machine.address, '-f', this.paths.knownHosts]);
    return state.exitCode === 0 || ctx.dry ? done() : skipped(`${machine.name} did not exist.`);
  }

  /** HAProxy on the host in front of the control planes, where the endpoint needs it (see api-endpoint.ts). */
  async ensureApiEndpoint(ctx: StepContext): Promise<StepOutcome> {
    if (!endpointService(this.plan).loadBalancer)
      return skipped('The endpoint name resolves to the first control plane; no load balancer.');
    return ensureLoadBalancer(ctx);
  }

  async removeApiEndpoint(ctx: StepContext): Promise<StepOutcome> {
    return removeLoadBalancer(ctx);
  }

  /** The network, the storage pool, the lab's storage folder and its key folder (after every VM is gone). */
  async cleanup(ctx: StepContext): Promise<StepOutcome> {
    if (this.plan.network.mode === 'nat') {
      const info = await ctx.observeHost(virsh('net-info', this.paths.network), { root: true });
      if (info.exitCode === 0 || ctx.dry) {
        if (/^Active:\s+yes/m.test(info.stdout) || ctx.dry) await ctx.host(virsh('net-destroy', this.paths.network), { root: true });
        await ctx.host(virsh('net-undefine', this.paths.network), { root: true });
      }
    }
    const pool = await ctx.observeHost(virsh('pool-info', this.paths.pool), { root: true });
    if (pool.exitCode === 0 || ctx.dry) {
      if (/^State:\s+running/m.test(pool.stdout) || ctx.dry) await ctx.host(virsh('pool-destroy', this.paths.pool), { root: true });
      await ctx.host(virsh('pool-undefine', this.paths.pool), { root: true });
    }
    await ctx.host(['rm', '-rf', '--', this.paths.storageDir], { root: true });
    await ctx.host(['rm', '-rf', '--', this.paths.homeDir]);
    return done();
  }
}
