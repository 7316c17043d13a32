import type { WindowsFacts } from './windows-probe';
import { defaultThresholds, formatMiB, gradeAmount, worstStatus } from './preflight-types';
import type { PreflightCheck, PreflightReport, PreflightThresholds } from './preflight-types';

const mib = (bytes: number): number => Math.floor(bytes / 1024 / 1024);
const exposeHint =
  'On the outer Hyper-V host, with this VM turned off: Set-VMProcessor -VMName <this VM> -ExposeVirtualizationExtensions $true, then start it again.';

/** True when the Windows host is itself a virtual machine. */
export function isVirtualMachine(facts: WindowsFacts): boolean {
  return /virtual machine|vmware|virtualbox|kvm|qemu|hvm domu/i.test(`${facts.manufacturer} ${facts.model}`);
}

/**
 * Evaluate a Windows host's Hyper-V facts into checks with fixes and capacity. Pure, like the
 * Linux evaluation.
 */
export function evaluateWindowsFacts(
  facts: WindowsFacts,
  thresholds: PreflightThresholds = defaultThresholds,
  probedAt: string = new Date().toISOString(),
): PreflightReport {
  const memoryMiB = mib(facts.totalMemoryBytes);
  const guest = isVirtualMachine(facts);
  const nestedOk =
    !guest || (!facts.hypervisorLaunchFailed && (facts.vmMonitorModeExtensions || (facts.hypervisorPresent && facts.vmmsRunning)));
  const checks: PreflightCheck[] = [
    hyperVFeature(facts),
    hypervisor(facts, guest),
    vmHost(facts),
    switches(facts),
    nat(facts),
    memory(memoryMiB, thresholds),
    processors(facts.logicalProcessors, thresholds),
    nestedCheck(facts, guest, nestedOk),
  ];
  return {
    os: 'windows',
    status: worstStatus(checks.map((check) => check.status)),
    checks,
    capacity: {
      hypervisor: 'hyperv',
      cpus: facts.logicalProcessors,
      memoryMiB,
      memoryAvailableMiB: mib(facts.freeMemoryBytes),
      diskFreeGiB: facts.vmPathFreeBytes === null ? 0 : Math.floor((facts.vmPathFreeBytes / 1024 ** 3) * 10) / 10,
      storagePath: facts.vmHost?.virtualMachinePath ?? '',
      nestedVirtualization: guest ? nestedOk : facts.hypervisorPresent,
    },
    probedAt,
  };
}

function hyperVFeature(facts: WindowsFacts): PreflightCheck {
  const base = { id: 'hyperv-feature', title: 'Hyper-V feature' };
  const state = facts.hyperVFeature;
  if (state === 'Installed' || state === 'Enabled') return { ...base, status: 'pass', detail: `Hyper-V is ${state.toLowerCase()}.` };
  if (state === null) {
    return {
      ...base,
      status: 'fail',
      detail: 'This Windows edition does not offer Hyper-V.',
      fix: 'Use Windows Server, or Windows 10/11 Pro or Enterprise.',
    };
  }
  return {
    ...base,
    status: 'fail',
    detail: `Hyper-V is ${state}.`,
    fix: 'Install-WindowsFeature -Name Hyper-V -IncludeManagementTools -Restart (Windows Server) or Enable-WindowsOptionalFeature -Online -FeatureName Microsoft-Hyper-V-All (client)',
  };
}

function hypervisor(facts: WindowsFacts, guest: boolean): PreflightCheck {
  const base = { id: 'hypervisor-present', title: 'Hypervisor running' };
  if (facts.hypervisorPresent && !facts.hypervisorLaunchFailed)
    return { ...base, status: 'pass', detail: 'A hypervisor is running (HypervisorPresent).' };
  return {
    ...base,
    status: 'fail',
    detail: facts.hypervisorLaunchFailed ? 'The Hyper-V hypervisor failed to launch at the last boot.' : 'No hypervisor is running.',
    fix: guest ? exposeHint : 'Enable VT-x/AMD-V in the firmware, run `bcdedit /set hypervisorlaunchtype auto`, and reboot.',
  };
}

function vmHost(facts: WindowsFacts): PreflightCheck {
  const base = { id: 'vm-host', title: 'Hyper-V VM host' };
  if (facts.vmHost !== null && facts.vmmsRunning)
    return { ...base, status: 'pass', detail: `VMs are stored in ${facts.vmHost.virtualMachinePath}.` };
  return {
    ...base,
    status: 'fail',
    detail:
      facts.vmHost === null
        ? 'Get-VMHost failed: the Hyper-V management service or module is missing.'
        : 'The Hyper-V management service (vmms) is not running.',
    fix: 'Install the Hyper-V management tools (Install-WindowsFeature Hyper-V-PowerShell) and run Start-Service vmms.',
  };
}

function switches(facts: WindowsFacts): PreflightCheck {
  const base = { id: 'virtual-switch', title: 'Virtual switches' };
  if (facts.switches.length === 0) {
    return { ...base, status: 'fail', detail: 'There is no virtual switch.', fix: 'New-VMSwitch -Name NestlabNAT -SwitchType Internal' };
  }
  return { ...base, status: 'pass', detail: facts.switches.map((s) => `${s.name} (${s.switchType})`).join(', ') };
}

function nat(facts: WindowsFacts): PreflightCheck {
  const base = { id: 'nat', title: 'NAT for lab networks' };
  if (facts.nat.length > 0) return { ...base, status: 'pass', detail: facts.nat.map((n) => `${n.name} ${n.internalPrefix}`).join(', ') };
  return {
    ...base,
    status: 'warn',
    detail: 'No NetNat is configured; lab VMs on an internal switch will have no outbound network.',
    fix: 'New-VMSwitch -Name NestlabNAT -SwitchType Internal; New-NetIPAddress -IPAddress 192.168.100.1 -PrefixLength 24 -InterfaceAlias "vEthernet (NestlabNAT)"; New-NetNat -Name NestlabNAT -InternalIPInterfaceAddressPrefix 192.168.100.0/24',
  };
}

function memory(memoryMiB: number, t: PreflightThresholds): PreflightCheck {
  const status = gradeAmount(memoryMiB, t.minMemoryMiB, t.recommendedMemoryMiB);
  return {
    id: 'memory',
    title: 'Memory',
    status,
    detail: `${formatMiB(memoryMiB)} RAM (at least ${formatMiB(t.minMemoryMiB)} needed, ${formatMiB(t.recommendedMemoryMiB)} recommended).`,
    ...(status === 'pass'
      ? {}
      : { fix: 'Add RAM to the host (for a VM: Set-VMMemory on the outer host while it is off), or plan a smaller lab.' }),
  };
}

function processors(count: number, t: PreflightThresholds): PreflightCheck {
  const status = gradeAmount(count, t.minCpus, t.recommendedCpus);
  return {
    id: 'cpu-count',
    title: 'Logical processors',
    status,
    detail: `${count} logical processors (at least ${t.minCpus} needed, ${t.recommendedCpus} recommended).`,
    ...(status === 'pass'
      ? {}
      : { fix: 'Give the host more processors (for a VM: Set-VMProcessor -Count on the outer host while it is off).' }),
  };
}

function nestedCheck(facts: WindowsFacts, guest: boolean, nestedOk: boolean): PreflightCheck {
  const base = { id: 'nested-virtualization', title: 'Nested virtualization' };
  if (!guest) return { ...base, status: 'pass', detail: 'This is a physical host; its VMs run directly on Hyper-V.' };
  if (nestedOk)
    return {
      ...base,
      status: 'pass',
      detail: `This host is a VM (${facts.model}) and its hypervisor runs, so virtualization is exposed to it.`,
    };
  return {
    ...base,
    status: 'fail',
    detail: `This host is a VM (${facts.manufacturer} ${facts.model}) whose outer host does not expose virtualization extensions, so Hyper-V cannot run VMs here.`,
    fix: exposeHint,
  };
}
