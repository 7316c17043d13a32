/**
 * The Hyper-V driver (Windows host, PowerShell over OpenSSH): differencing VHDX disks on the
 * plan's parent image, a NoCloud seed ISO built with Windows' own IMAPI2 (no extra tools), New-VM
 * with Set-VMProcessor / Set-VMMemory, and an internal switch with NetNat. An internal switch has
 * no DHCP, so each VM gets a static address from the pool through cloud-init's network-config.
 * Every script observes before it acts; values go in as single-quoted PowerShell literals.
 */
import type { LabMachine, LabPlan, MachinePower } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { PS_TEMP_SUFFIX, psLiteral, psWriteFileLines } from '../hosts/powershell';
import { controlPlaneAddresses, endpointHostEntry, reservedAddress } from './api-endpoint';
import { linuxUserData, metaData, networkConfig, windowsUserData } from './cloud-init';
import { parseHypervStates } from './day2/vm-power';
import type { PowerReader } from './day2/vm-power';
import type { HostInvocation, LabDriver } from './lab-driver';
import { VM_USER } from './lab-paths';
import { bundleCopyDetail } from './offline-bundle';
import { gatewayOf, ipv4ToNumber, numberToIpv4, parseCidr } from './plan-validation';
import { done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';

const HEADER = ["$ErrorActionPreference = 'Stop'", "$ProgressPreference = 'SilentlyContinue'"];

/** Names and paths of one lab on a Hyper-V host. */
export interface HyperVLabPaths {
  storageDir: string;
  /** Relative to the SSH user's profile. */
  homeDir: string;
  switchName: string;
}

export function hypervPaths(storagePath: string, lab: string): HyperVLabPaths {
  return {
    storageDir: `${storagePath.replace(/\\+$/, '')}\\nestlab-${lab}`,
    homeDir: `.nestlab\\labs\\${lab}`,
    switchName: `nestlab-${lab}`,
  };
}

function script(marker: string, lines: string[]): string {
  return [`# nestlab:${marker}`, ...HEADER, ...lines, ''].join('\n');
}

export function prepareScript(plan: LabPlan, paths: HyperVLabPaths): string {
  const images = [plan.baseImage, ...(plan.windowsWorkers > 0 && plan.windowsBaseImage !== undefined ? [plan.windowsBaseImage] : [])];
  return script('hyperv-prepare', [
    ...images.map(
      (image) =>
        `if (-not (Test-Path -LiteralPath ${psLiteral(image)})) { throw ('The image ' + ${psLiteral(image)} + ' is not on the host. Copy it there or change the plan.') }`,
    ),
    `New-Item -ItemType Directory -Force -Path ${psLiteral(paths.storageDir)} | Out-Null`,
    `$labHome = Join-Path $env:USERPROFILE ${psLiteral(paths.homeDir)}`,
    'New-Item -ItemType Directory -Force -Path $labHome | Out-Null',
    "$key = Join-Path $labHome 'id_ed25519'",
    "if (Test-Path -LiteralPath $key) { 'exists'; exit 0 }",
    `& ssh-keygen.exe -q -t ed25519 -N '""' -C ${psLiteral(`nestlab-${plan.name}`)} -f $key`,
    'if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }',
    "'created'",
  ]);
}

export function networkScript(plan: LabPlan, paths: HyperVLabPaths): string {
  if (plan.network.mode === 'bridge') {
    const name = plan.network.bridge ?? '';
    return script('hyperv-network', [
      `if (-not (Get-VMSwitch -Name ${psLiteral(name)} -ErrorAction SilentlyContinue)) { throw ('There is no Hyper-V switch named ' + ${psLiteral(name)} + '. Create an external switch or choose NAT.') }`,
      "'exists'",
    ]);
  }
  const cidr = parseCidr(plan.network.cidr);
  if (cidr === undefined) throw new AppError('INVALID_ARGUMENT', 'The plan was not validated.');
  const gateway = gatewayOf(cidr);
  const alias = `vEthernet (${paths.switchName})`;
  const prefix = `${numberToIpv4(cidr.network)}/${cidr.prefix}`;
  return script('hyperv-network', [
    '$changed = $false',
    `if (-not (Get-VMSwitch -Name ${psLiteral(paths.switchName)} -ErrorAction SilentlyContinue)) { New-VMSwitch -Name ${psLiteral(paths.switchName)} -SwitchType Internal | Out-Null; $changed = $true }`,
    `if (-not (Get-NetIPAddress -InterfaceAlias ${psLiteral(alias)} -IPAddress ${psLiteral(gateway)} -ErrorAction SilentlyContinue)) { New-NetIPAddress -InterfaceAlias ${psLiteral(alias)} -IPAddress ${psLiteral(gateway)} -PrefixLength ${cidr.prefix} | Out-Null; $changed = $true }`,
    `if (-not (Get-NetNat -Name ${psLiteral(paths.switchName)} -ErrorAction SilentlyContinue)) { New-NetNat -Name ${psLiteral(paths.switchName)} -InternalIPInterfaceAddressPrefix ${psLiteral(prefix)} | Out-Null; $changed = $true }`,
    "if ($changed) { 'created' } else { 'exists' }",
  ]);
}

/**
 * Writes files into a folder and makes an ISO 9660/Joliet image labelled `cidata` with IMAPI2
 * (built into Windows). Each file and the image go to a temporary file first and are moved over
 * their target only once complete: the VM step skips an image that exists, so one cut short by a
 * dropped connection would otherwise boot the VM without its seed on every resume.
 */
function seedIsoLines(seedDir: string, iso: string, files: Record<string, string>): string[] {
  const isoTemp = psLiteral(`${iso}${PS_TEMP_SUFFIX}`);
  return [
    `New-Item -ItemType Directory -Force -Path ${psLiteral(seedDir)} | Out-Null`,
    ...Object.entries(files).flatMap(([name, content]) => [
      `$file = Join-Path ${psLiteral(seedDir)} ${psLiteral(name)}`,
      ...psWriteFileLines('$file', psLiteral(content), { encoding: 'ascii', noNewline: true }),
    ]),
    '$fs = New-Object -ComObject IMAPI2FS.MsftFileSystemImage',
    '$fs.FileSystemsToCreate = 3',
    "$fs.VolumeName = 'cidata'",
    `$fs.Root.AddTree(${psLiteral(seedDir)}, $false)`,
    '$stream = $fs.CreateResultImage().ImageStream',
    `$out = [System.IO.File]::Create(${isoTemp})`,
    '$buffer = New-Object byte[] 65536',
    'do { $read = 0; $stream.Read($buffer, 65536, [ref]$read); $out.Write($buffer, 0, $read) } while ($read -gt 0)',
    '$out.Close()',
    `Move-Item -LiteralPath ${isoTemp} -Destination ${psLiteral(iso)} -Force`,
  ];
}

export function vmScript(
  plan: LabPlan,
  machine: LabMachine,
  paths: HyperVLabPaths,
  seed: { userData: string; metaData: string; networkConfig: string },
): string {
  const disk = `${paths.storageDir}\\${machine.name}.vhdx`;
  const iso = `${paths.storageDir}\\${machine.name}-seed.iso`;
  const parent = machine.os === 'windows' ? (plan.windowsBaseImage ?? '') : plan.baseImage;
  const switchName = plan.network.mode === 'nat' ? paths.switchName : (plan.network.bridge ?? '');
  const name = psLiteral(machine.name);
  return script('hyperv-vm', [
    `$vm = Get-VM -Name ${name} -ErrorAction SilentlyContinue`,
    `if ($vm) { if ($vm.State -ne 'Running') { Start-VM -Name ${name}; 'started' } else { 'exists' }; exit 0 }`,
    `if (-not (Test-Path -LiteralPath ${psLiteral(disk)})) { New-VHD -Path ${psLiteral(disk)} -ParentPath ${psLiteral(parent)} -Differencing | Out-Null }`,
    `if (-not (Test-Path -LiteralPath ${psLiteral(iso)})) {`,
    ...seedIsoLines(`${paths.storageDir}\\${machine.name}-seed`, iso, {
      'user-data': seed.userData,
      'meta-data': seed.metaData,
      'network-config': seed.networkConfig,
    }).map((line) => `  ${line}`),
    '}',
    `New-VM -Name ${name} -Generation 2 -MemoryStartupBytes ${machine.size.memoryMiB}MB -VHDPath ${psLiteral(disk)} -SwitchName ${psLiteral(switchName)} | Out-Null`,
    `Set-VMProcessor -VMName ${name} -Count ${machine.size.cpus}`,
    `Set-VMMemory -VMName ${name} -DynamicMemoryEnabled $false -StartupBytes ${machine.size.memoryMiB}MB`,
    `Add-VMDvdDrive -VMName ${name} -Path ${psLiteral(iso)}`,
    `Set-VMFirmware -VMName ${name} -EnableSecureBoot On -SecureBootTemplate ${machine.os === 'windows' ? 'MicrosoftWindows' : 'MicrosoftUEFICertificateAuthority'}`,
    // Starts with the host (New-VM's default only restarts VMs that ran), shut down cleanly with it.
    `Set-VM -Name ${name} -AutomaticStartAction Start -AutomaticStartDelay 0 -AutomaticStopAction ShutDown`,
    `Start-VM -Name ${name}`,
    "'created'",
  ]);
}

export function addressScript(machine: LabMachine): string {
  return script('hyperv-address', [
    `(Get-VMNetworkAdapter -VMName ${psLiteral(machine.name)}).IPAddresses | Where-Object { $_ -match '^\\d+\\.\\d+\\.\\d+\\.\\d+$' } | Select-Object -First 1`,
  ]);
}

/** Each VM's name and State, one "name<TAB>State" line per VM that exists. */
export function powerStateScript(machines: readonly LabMachine[]): string {
  return script('hyperv-power-state', [
    `Get-VM -Name ${machines.map((machine) => psLiteral(machine.name)).join(',')} -ErrorAction SilentlyContinue | ForEach-Object { $_.Name + [char]9 + $_.State }`,
  ]);
}

/**
 * Start or stop one VM, after looking at its State: prints 'running' / 'off' when there was
 * nothing to do, else what was done. Stop-VM without -TurnOff asks the guest through the shutdown
 * integration service and returns once the VM is off; -TurnOff is a power failure.
 */
export function powerScript(machine: LabMachine, action: 'start' | 'shutdown' | 'turn-off'): string {
  const name = psLiteral(machine.name);
  const lines = [
    `$vm = Get-VM -Name ${name} -ErrorAction SilentlyContinue`,
    `if (-not $vm) { throw ('The lab host has no VM named ' + ${name} + '.') }`,
  ];
  if (action === 'start') {
    lines.push("if ($vm.State -eq 'Running') { 'running'; exit 0 }", `Start-VM -Name ${name}`, "'started'");
  } else {
    lines.push(
      "if ($vm.State -eq 'Off') { 'off'; exit 0 }",
      action === 'turn-off' ? `Stop-VM -Name ${name} -TurnOff -Force` : `Stop-VM -Name ${name} -Force`,
      action === 'turn-off' ? "'turned-off'" : "'shut-down'",
    );
  }
  return script('hyperv-power', lines);
}

export function deleteVmScript(machine: LabMachine, paths: HyperVLabPaths): string {
  const name = psLiteral(machine.name);
  return script('hyperv-delete-vm', [
    `$vm = Get-VM -Name ${name} -ErrorAction SilentlyContinue`,
    `if ($vm) { if ($vm.State -ne 'Off') { Stop-VM -Name ${name} -TurnOff -Force }; Remove-VM -Name ${name} -Force }`,
    ...[`${machine.name}.vhdx`, `${machine.name}-seed.iso`, `${machine.name}-seed`].map(
      (file) => `Remove-Item -LiteralPath ${psLiteral(`${paths.storageDir}\\${file}`)} -Recurse -Force -ErrorAction SilentlyContinue`,
    ),
    // A VM made again with this name gets the same static address and a new host key, which
    // ssh's accept-new would refuse as changed (a recreated worker, scale down then up).
    ...(machine.address === undefined
      ? []
      : [
          `$known = Join-Path (Join-Path $env:USERPROFILE ${psLiteral(paths.homeDir)}) 'known_hosts'`,
          `if (Test-Path -LiteralPath $known) { $ErrorActionPreference = 'Continue'; & ssh-keygen.exe -R ${psLiteral(machine.address)} -f $known *> $null; $ErrorActionPreference = 'Stop' }`,
        ]),
    "if ($vm) { 'deleted' } else { 'absent' }",
  ]);
}

export function cleanupScript(plan: LabPlan, paths: HyperVLabPaths): string {
  const lines: string[] = [];
  if (plan.network.mode === 'nat') {
    const cidr = parseCidr(plan.network.cidr);
    lines.push(
      `Get-NetNat -Name ${psLiteral(paths.switchName)} -ErrorAction SilentlyContinue | Remove-NetNat -Confirm:$false`,
      `Get-NetIPAddress -InterfaceAlias ${psLiteral(`vEthernet (${paths.switchName})`)} -IPAddress ${psLiteral(cidr === undefined ? '' : gatewayOf(cidr))} -ErrorAction SilentlyContinue | Remove-NetIPAddress -Confirm:$false`,
      `Get-VMSwitch -Name ${psLiteral(paths.switchName)} -ErrorAction SilentlyContinue | Remove-VMSwitch -Force`,
    );
  }
  lines.push(
    `Remove-Item -LiteralPath ${psLiteral(paths.storageDir)} -Recurse -Force -ErrorAction SilentlyContinue`,
    `Remove-Item -LiteralPath (Join-Path $env:USERPROFILE ${psLiteral(paths.homeDir)}) -Recurse -Force -ErrorAction SilentlyContinue`,
    "'cleaned'",
  );
  return script('hyperv-cleanup', lines);
}

/** The Windows Firewall rule that lets the lab's host port in. */
export function endpointFirewallRule(lab: string): string {
  return `nestlab-${lab}-api`;
}

/**
 * The lab's API endpoint on the host's port (one control plane: Hyper-V labs have no HAProxy): a
 * NetNat static mapping of the port to the endpoint address (the first control plane's static
 * address), and a firewall rule that lets it in. A mapping of the port to another address is
 * replaced; a port another NAT maps, or another program listens on, is refused naming it.
 */
export function endpointScript(plan: LabPlan, paths: HyperVLabPaths): string {
  const { hostPort, address } = plan.apiEndpoint;
  const nat = psLiteral(paths.switchName);
  const port = String(hostPort ?? 0);
  const rule = psLiteral(endpointFirewallRule(plan.name));
  const onPort = `Where-Object { $_.ExternalPort -eq ${port} -and $_.Protocol -eq 'TCP' }`;
  return script('hyperv-endpoint', [
    "$state = 'exists'",
    `$mapping = Get-NetNatStaticMapping -NatName ${nat} -ErrorAction SilentlyContinue | ${onPort}`,
    `if (-not ($mapping -and $mapping.InternalIPAddress -eq ${psLiteral(address)} -and $mapping.InternalPort -eq 6443)) {`,
    '  if ($mapping) { $mapping | Remove-NetNatStaticMapping -Confirm:$false }',
    `  $other = Get-NetNatStaticMapping -ErrorAction SilentlyContinue | ${onPort} | Select-Object -First 1`,
    `  if ($other) { throw ('Port ${port} of the host is mapped to ' + $other.InternalIPAddress + ' by the NAT ' + $other.NatName + ', so lab ${plan.name} cannot map it.') }`,
    `  $listener = Get-NetTCPConnection -LocalPort ${port} -State Listen -ErrorAction SilentlyContinue | Select-Object -First 1`,
    `  if ($listener) { throw ('Port ${port} of the host is taken by another program (process ' + $listener.OwningProcess + '), so lab ${plan.name} cannot map it.') }`,
    `  Add-NetNatStaticMapping -NatName ${nat} -Protocol TCP -ExternalIPAddress '0.0.0.0' -ExternalPort ${port} -InternalIPAddress ${psLiteral(address)} -InternalPort 6443 | Out-Null`,
    "  $state = 'created'",
    '}',
    `if (-not (Get-NetFirewallRule -Name ${rule} -ErrorAction SilentlyContinue)) {`,
    `  New-NetFirewallRule -Name ${rule} -DisplayName ${psLiteral(`Nestlab ${plan.name} API endpoint`)} -Direction Inbound -Protocol TCP -LocalPort ${port} -Action Allow | Out-Null`,
    "  $state = 'created'",
    '}',
    '$state',
  ]);
}

/** Removes what {@link endpointScript} made (Remove-NetNat in the cleanup would drop the mapping, not the rule). */
export function removeEndpointScript(plan: LabPlan, paths: HyperVLabPaths): string {
  const port = String(plan.apiEndpoint.hostPort ?? 0);
  return script('hyperv-remove-endpoint', [
    `$mapping = Get-NetNatStaticMapping -NatName ${psLiteral(paths.switchName)} -ErrorAction SilentlyContinue | Where-Object { $_.ExternalPort -eq ${port} -and $_.Protocol -eq 'TCP' }`,
    '$mapping | Remove-NetNatStaticMapping -Confirm:$false',
    `$rule = Get-NetFirewallRule -Name ${psLiteral(endpointFirewallRule(plan.name))} -ErrorAction SilentlyContinue`,
    '$rule | Remove-NetFirewallRule',
    "if ($mapping -or $rule) { 'removed' } else { 'absent' }",
  ]);
}

/** Runs a command on a VM over SSH from the Windows host, passing stdin through. */
export function vmExecScript(paths: HyperVLabPaths, address: string, remote: string): string {
  return script('hyperv-vm-exec', [
    `$labHome = Join-Path $env:USERPROFILE ${psLiteral(paths.homeDir)}`,
    `$input | & ssh.exe -i (Join-Path $labHome 'id_ed25519') -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ('UserKnownHostsFile=' + (Join-Path $labHome 'known_hosts')) -o ConnectTimeout=10 -o LogLevel=ERROR ${psLiteral(`${VM_USER}@${address}`)} ${psLiteral(remote)}`,
    'exit $LASTEXITCODE',
  ]);
}

export class HyperVDriver implements LabDriver {
  readonly paths: HyperVLabPaths;

  constructor(
    private readonly plan: LabPlan,
    storagePath: string,
    private readonly labId: string,
  ) {
    this.paths = hypervPaths(storagePath, plan.name);
  }

  async prepare(ctx: StepContext): Promise<StepOutcome> {
    const result = await ctx.hostPowerShell(prepareScript(this.plan, this.paths));
    return result.stdout.trim() === 'exists' ? skipped('The lab key exists.') : done();
  }

  async ensureNetwork(ctx: StepContext): Promise<StepOutcome> {
    const result = await ctx.hostPowerShell(networkScript(this.plan, this.paths));
    return result.stdout.trim() === 'exists' ? skipped('The switch exists.') : done();
  }

  /** Over SFTP (Windows OpenSSH offers it; relative paths start in the user's profile), checked against the manifest first. */
  async uploadBundle(ctx: StepContext): Promise<StepOutcome> {
    const copied = await ctx.copyBundleToHost(`${this.paths.homeDir.replaceAll('\\', '/')}/bundle`);
    return done(bundleCopyDetail(copied));
  }

  /**
   * A control plane's fixed address (the endpoint address with one control plane), else the lowest
   * pool address no other machine of the lab has or is reserved for (decided before any await, so
   * parallel steps never share one).
   */
  private allocate(ctx: StepContext, machine: LabMachine): string {
    if (machine.address !== undefined) return machine.address;
    const reserved = reservedAddress(this.plan, machine);
    if (reserved !== undefined) {
      machine.address = reserved;
      return reserved;
    }
    const start = ipv4ToNumber(this.plan.network.poolStart) ?? 0;
    const end = ipv4ToNumber(this.plan.network.poolEnd) ?? 0;
    const taken = new Set([...ctx.machines.map((m) => m.address).filter((a) => a !== undefined), ...controlPlaneAddresses(this.plan)]);
    for (let value = start; value <= end; value += 1) {
      const address = numberToIpv4(value);
      if (!taken.has(address)) {
        machine.address = address;
        return address;
      }
    }
    throw new AppError('INVALID_ARGUMENT', 'The address pool is used up.', { field: 'network.poolEnd', fix: 'Widen the pool.' });
  }

  async ensureVm(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
    const cidr = parseCidr(this.plan.network.cidr);
    if (cidr === undefined) throw new AppError('INVALID_ARGUMENT', 'The plan was not validated.');
    const address = ctx.dry ? `<pool address for ${machine.name}>` : this.allocate(ctx, machine);
    const key = ctx.dry
      ? 'ssh-ed25519 <the lab key> nestlab'
      : (
          await ctx.hostPowerShell(
            script('hyperv-public-key', [
              `Get-Content -Raw (Join-Path $env:USERPROFILE ${psLiteral(`${this.paths.homeDir}\\id_ed25519.pub`)})`,
            ]),
          )
        ).stdout.trim();
    const seed = {
      userData:
        machine.os === 'windows' ? windowsUserData(machine, key, endpointHostEntry(this.plan)) : linuxUserData(machine, this.plan, key),
      metaData: metaData(machine, this.labId),
      networkConfig: networkConfig(address, cidr.prefix, gatewayOf(cidr)),
    };
    const result = await ctx.hostPowerShell(vmScript(this.plan, machine, this.paths, seed), { timeoutMs: 300_000 });
    const outcome = result.stdout.trim();
    return outcome === 'exists'
      ? skipped(`${machine.name} is running.`)
      : done(outcome === 'started' ? `${machine.name} was stopped and is started.` : undefined);
  }

  async address(ctx: StepContext, machine: LabMachine): Promise<string | undefined> {
    const result = await ctx.observeHostPowerShell(addressScript(machine));
    const address = result.stdout.trim();
    return result.exitCode === 0 && /^\d+\.\d+\.\d+\.\d+$/.test(address) ? address : undefined;
  }

  async copyBundleToVm(ctx: StepContext, machine: LabMachine): Promise<void> {
    const address = ctx.dry ? `<address of ${machine.name}>` : (machine.address ?? '');
    await ctx.hostPowerShell(
      script('hyperv-copy-bundle', [
        `$labHome = Join-Path $env:USERPROFILE ${psLiteral(this.paths.homeDir)}`,
        `& scp.exe -r -q -i (Join-Path $labHome 'id_ed25519') -o BatchMode=yes -o ('UserKnownHostsFile=' + (Join-Path $labHome 'known_hosts')) (Join-Path $labHome 'bundle') ${psLiteral(`${VM_USER}@${address}:nestlab-bundle`)}`,
        'exit $LASTEXITCODE',
      ]),
    );
  }

  vmInvocation(address: string, remote: string): HostInvocation {
    return { powershell: vmExecScript(this.paths, address, remote) };
  }

  async powerStates(reader: PowerReader, machines: readonly LabMachine[]): Promise<Map<string, MachinePower>> {
    if (machines.length === 0) return new Map();
    const result = await reader.powershell(powerStateScript(machines));
    if (result.exitCode !== 0) {
      throw new AppError('PROGRAM_FAILED', `Get-VM failed on the lab host: ${result.stderr.trim() || `exit code ${result.exitCode}`}`, {
        fix: 'Check that the Hyper-V PowerShell module is installed and the host user may manage Hyper-V.',
      });
    }
    return parseHypervStates(
      machines.map((machine) => machine.name),
      result.stdout,
    );
  }

  async startVm(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
    const result = await ctx.hostPowerShell(powerScript(machine, 'start'));
    return result.stdout.trim() === 'running' ? skipped(`${machine.name} is running.`) : done();
  }

  async stopVm(ctx: StepContext, machine: LabMachine, mode: 'shutdown' | 'turn-off'): Promise<StepOutcome> {
    const result = await ctx.hostPowerShell(powerScript(machine, mode), { timeoutMs: 300_000 });
    const outcome = result.stdout.trim();
    if (outcome === 'off') return skipped(`${machine.name} is off.`);
    return done(outcome === 'turned-off' ? `${machine.name} was turned off.` : `${machine.name} shut down.`);
  }

  async deleteVm(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
    const result = await ctx.hostPowerShell(deleteVmScript(machine, this.paths));
    return result.stdout.trim() === 'absent' ? skipped(`${machine.name} did not exist.`) : done();
  }

  async ensureApiEndpoint(ctx: StepContext): Promise<StepOutcome> {
    const result = await ctx.hostPowerShell(endpointScript(this.plan, this.paths));
    return result.stdout.trim() === 'exists'
      ? skipped(`Port ${this.plan.apiEndpoint.hostPort} is mapped to ${this.plan.apiEndpoint.address}:6443 and let through.`)
      : done(`Port ${this.plan.apiEndpoint.hostPort} of the host is mapped to ${this.plan.apiEndpoint.address}:6443.`);
  }

  async removeApiEndpoint(ctx: StepContext): Promise<StepOutcome> {
    const result = await ctx.hostPowerShell(removeEndpointScript(this.plan, this.paths));
    return result.stdout.trim() === 'absent' ? skipped('The lab has no port mapping.') : done();
  }

  async cleanup(ctx: StepContext): Promise<StepOutcome> {
    await ctx.hostPowerShell(cleanupScript(this.plan, this.paths));
    return done();
  }
}
