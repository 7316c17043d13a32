import { z } from 'zod';
import { AppError } from '../../../shared/errors';

/**
 * The Windows probe: one read-only PowerShell script (run with -EncodedCommand over the host's
 * OpenSSH server) that returns the Hyper-V facts as one JSON object. Errors from individual
 * cmdlets are swallowed so a host without Hyper-V still answers with what it has.
 */
export const windowsProbeScript = `# nestlab:probe-hyperv v1 — read-only facts for the Nestlab preflight
$ErrorActionPreference = 'SilentlyContinue'
$ProgressPreference = 'SilentlyContinue'
$os = Get-CimInstance Win32_OperatingSystem
$cs = Get-CimInstance Win32_ComputerSystem
$cpu = Get-CimInstance Win32_Processor | Select-Object -First 1
$feature = $null
if (Get-Command Get-WindowsFeature) { $feature = [string](Get-WindowsFeature -Name Hyper-V).InstallState }
elseif (Get-Command Get-WindowsOptionalFeature) { $feature = [string](Get-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All).State }
$vmHost = Get-VMHost
$vmPath = if ($vmHost) { $vmHost.VirtualMachinePath } else { $env:SystemDrive + '\\' }
$free = $null
$drive = Get-PSDrive -Name ($vmPath.Substring(0, 1))
if ($drive) { $free = [int64]$drive.Free }
$launchFailed = $false
$event = Get-WinEvent -FilterHashtable @{ LogName = 'System'; ProviderName = 'Microsoft-Windows-Hyper-V-Hypervisor' } -MaxEvents 1
if ($event -and $event.LevelDisplayName -eq 'Error') { $launchFailed = $true }
[pscustomobject]@{
  osCaption = [string]$os.Caption
  osVersion = [string]$os.Version
  manufacturer = [string]$cs.Manufacturer
  model = [string]$cs.Model
  logicalProcessors = [int]$cs.NumberOfLogicalProcessors
  totalMemoryBytes = [int64]$cs.TotalPhysicalMemory
  freeMemoryBytes = [int64]$os.FreePhysicalMemory * 1024
  hypervisorPresent = [bool]$cs.HypervisorPresent
  vmMonitorModeExtensions = [bool]$cpu.VMMonitorModeExtensions
  virtualizationFirmwareEnabled = [bool]$cpu.VirtualizationFirmwareEnabled
  hyperVFeature = $feature
  vmmsRunning = [bool]((Get-Service vmms).Status -eq 'Running')
  hypervisorLaunchFailed = $launchFailed
  vmHost = if ($vmHost) { @{ virtualMachinePath = [string]$vmHost.VirtualMachinePath; memoryCapacityBytes = [int64]$vmHost.MemoryCapacity } } else { $null }
  vmPathFreeBytes = $free
  switches = @(Get-VMSwitch | ForEach-Object { @{ name = [string]$_.Name; switchType = [string]$_.SwitchType } })
  nat = @(Get-NetNat | ForEach-Object { @{ name = [string]$_.Name; internalPrefix = [string]$_.InternalIPInterfaceAddressPrefix } })
} | ConvertTo-Json -Depth 4 -Compress
`;

/** ConvertTo-Json in Windows PowerShell 5.1 turns a one-element array into an object, an empty one into null. */
function asArray(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

const factsSchema = z.object({
  osCaption: z.string().default(''),
  osVersion: z.string().default(''),
  manufacturer: z.string().default(''),
  model: z.string().default(''),
  logicalProcessors: z.number().int().nonnegative(),
  totalMemoryBytes: z.number().nonnegative(),
  freeMemoryBytes: z.number().nonnegative(),
  hypervisorPresent: z.boolean(),
  vmMonitorModeExtensions: z.boolean().default(false),
  virtualizationFirmwareEnabled: z.boolean().default(false),
  hyperVFeature: z.string().nullable().default(null),
  vmmsRunning: z.boolean().default(false),
  hypervisorLaunchFailed: z.boolean().default(false),
  vmHost: z.object({ virtualMachinePath: z.string(), memoryCapacityBytes: z.number() }).nullable().default(null),
  vmPathFreeBytes: z.number().nullable().default(null),
  switches: z.preprocess(asArray, z.array(z.object({ name: z.string(), switchType: z.string() }))),
  nat: z.preprocess(asArray, z.array(z.object({ name: z.string(), internalPrefix: z.string().default('') }))),
});

/** Facts the Windows probe reports. */
export type WindowsFacts = z.infer<typeof factsSchema>;

/**
 * Validate the probe's JSON.
 *
 * @throws AppError INVALID_INPUT naming the malformed fields.
 */
export function parseWindowsFacts(value: unknown): WindowsFacts {
  const parsed = factsSchema.safeParse(value);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new AppError(
      'INVALID_INPUT',
      `The Windows host's probe output was incomplete (${fields}). Check that Windows PowerShell 5.1 or later is installed, then probe again.`,
      {
        fields,
      },
    );
  }
  return parsed.data;
}
