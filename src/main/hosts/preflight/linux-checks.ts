import type { LinuxFacts } from './linux-probe';
import { defaultThresholds, formatMiB, gradeAmount, worstStatus } from './preflight-types';
import type { PreflightCheck, PreflightReport, PreflightThresholds } from './preflight-types';

const libvirtPackages = 'sudo apt-get install -y libvirt-daemon-system libvirt-clients virtinst qemu-utils qemu-system-x86';

/**
 * Evaluate a Linux host's facts into pass / warn / fail checks with fixes, and the capacity a
 * lab plan can use. Pure: no I/O, so every branch is unit-tested from fact fixtures.
 */
export function evaluateLinuxFacts(
  facts: LinuxFacts,
  thresholds: PreflightThresholds = defaultThresholds,
  probedAt: string = new Date().toISOString(),
): PreflightReport {
  const memoryMiB = Math.floor(facts['mem.total_kib'] / 1024);
  const memoryAvailableMiB = Math.floor(facts['mem.available_kib'] / 1024);
  const diskFreeGiB = Math.floor((facts['disk.free_kib'] / 1024 / 1024) * 10) / 10;
  const virtFlags = facts['cpu.virt_flags'].split(/\s+/).filter((flag) => flag.length > 0);
  const module = virtFlags.includes('svm') ? 'kvm_amd' : 'kvm_intel';
  const nestedValue = facts[`nested.${module}`];
  const nestedOn = nestedValue === 'Y' || nestedValue === '1';
  const isRoot = facts['user.uid'] === 0;
  const checks: PreflightCheck[] = [
    cpuCount(facts['cpu.count'], thresholds),
    memory(memoryMiB, thresholds),
    disk(facts, diskFreeGiB, thresholds),
    cpuVirtualization(virtFlags, facts['cpu.hypervisor_flag'] === 'yes'),
    nested(virtFlags, module, nestedValue, facts['cpu.hypervisor_flag'] === 'yes', thresholds),
    devKvm(facts),
    libvirtTools(facts),
    libvirtNetwork(facts),
    libvirtPool(facts),
    libvirtGroup(facts, isRoot),
    sudo(facts, isRoot),
    seedTooling(facts),
  ];
  return {
    os: 'linux',
    status: worstStatus(checks.map((check) => check.status)),
    checks,
    capacity: {
      hypervisor: 'kvm',
      cpus: facts['cpu.count'],
      memoryMiB,
      memoryAvailableMiB,
      diskFreeGiB,
      storagePath: facts['disk.path'],
      nestedVirtualization: virtFlags.length > 0 && nestedOn && facts['kvm.dev'] === 'rw',
    },
    probedAt,
  };
}

function cpuCount(cpus: number, t: PreflightThresholds): PreflightCheck {
  const status = gradeAmount(cpus, t.minCpus, t.recommendedCpus);
  return {
    id: 'cpu-count',
    title: 'CPU count',
    status,
    detail: `${cpus} logical CPUs (at least ${t.minCpus} needed, ${t.recommendedCpus} recommended).`,
    ...(status === 'pass' ? {} : { fix: 'Give the host more CPUs, or plan a smaller lab (one control plane, fewer workers).' }),
  };
}

function memory(memoryMiB: number, t: PreflightThresholds): PreflightCheck {
  const status = gradeAmount(memoryMiB, t.minMemoryMiB, t.recommendedMemoryMiB);
  return {
    id: 'memory',
    title: 'Memory',
    status,
    detail: `${formatMiB(memoryMiB)} RAM (at least ${formatMiB(t.minMemoryMiB)} needed, ${formatMiB(t.recommendedMemoryMiB)} recommended).`,
    ...(status === 'pass' ? {} : { fix: 'Add RAM to the host, or plan smaller VM sizes and fewer nodes.' }),
  };
}

function disk(facts: LinuxFacts, freeGiB: number, t: PreflightThresholds): PreflightCheck {
  const status = gradeAmount(freeGiB, t.minDiskGiB, t.recommendedDiskGiB);
  const where =
    facts['disk.exists'] === 'yes'
      ? facts['disk.path']
      : `${facts['disk.measured_path']} (${facts['disk.path']} does not exist yet; libvirt creates it)`;
  return {
    id: 'disk-free',
    title: 'Free disk for VM images',
    status,
    detail: `${freeGiB} GiB free on ${where} (at least ${t.minDiskGiB} GiB needed, ${t.recommendedDiskGiB} GiB recommended).`,
    ...(status === 'pass'
      ? {}
      : { fix: `Free space on the file system of ${facts['disk.path']}, or point the lab at a larger storage path.` }),
  };
}

function cpuVirtualization(flags: readonly string[], isGuest: boolean): PreflightCheck {
  if (flags.length > 0) {
    return {
      id: 'cpu-virtualization',
      title: 'CPU virtualization (VT-x / AMD-V)',
      status: 'pass',
      detail: `The CPU exposes ${flags.join(', ')}.`,
    };
  }
  return {
    id: 'cpu-virtualization',
    title: 'CPU virtualization (VT-x / AMD-V)',
    status: 'fail',
    detail: isGuest ? 'This host is itself a VM and its CPU exposes neither vmx nor svm.' : 'The CPU exposes neither vmx nor svm.',
    fix: isGuest
      ? 'Expose virtualization to this VM on the outer hypervisor, with this VM off: Hyper-V `Set-VMProcessor -VMName <vm> -ExposeVirtualizationExtensions $true`; KVM `<cpu mode="host-passthrough"/>`; VMware "Expose hardware assisted virtualization to the guest OS".'
      : 'Enable Intel VT-x or AMD-V (SVM) in the firmware setup, then reboot.',
  };
}

/**
 * Lab VMs run on this host's KVM and run no hypervisor of their own, so kvm's `nested` parameter
 * does not decide whether a lab works: nested=N is a note (on bare metal and in a VM alike). What a
 * host that is itself a VM needs is virtualization exposed by its outer hypervisor (vmx/svm in its
 * CPU flags), which the CPU virtualization check reports; without it nothing runs. Only plans that
 * need hypervisors inside lab VMs (`requireNestedVirtualization`) fail on nested=N.
 */
function nested(flags: readonly string[], module: string, value: string, isGuest: boolean, t: PreflightThresholds): PreflightCheck {
  const base = { id: 'nested-virtualization', title: 'Nested virtualization' };
  if (flags.length === 0) {
    return {
      ...base,
      status: 'fail',
      detail: isGuest
        ? 'This host is a VM whose outer hypervisor does not expose virtualization extensions, so KVM cannot run lab VMs here.'
        : 'Not possible without CPU virtualization extensions.',
      fix: isGuest ? 'Expose virtualization to this VM on its outer hypervisor (see CPU virtualization).' : 'Fix CPU virtualization first.',
    };
  }
  const where = isGuest
    ? `This host is a VM and its outer hypervisor exposes ${flags.join(', ')}, so KVM runs lab VMs here.`
    : 'This is a physical host: lab VMs run directly on its KVM.';
  if (value === 'Y' || value === '1') return { ...base, status: 'pass', detail: `${where} ${module} is loaded with nested=${value}.` };
  if (value === 'absent') {
    return { ...base, status: 'fail', detail: `The ${module} module is not loaded.`, fix: `sudo modprobe ${module}` };
  }
  const option = `options ${module} nested=1`;
  const enable = `echo '${option}' | sudo tee /etc/modprobe.d/nestlab-nested.conf && sudo modprobe -r ${module} && sudo modprobe ${module} (with all VMs stopped)`;
  if (t.requireNestedVirtualization) {
    return {
      ...base,
      status: 'fail',
      detail: `${module} is loaded with nested=${value}: lab VMs run, but this plan needs hypervisors inside them, which do not.`,
      fix: enable,
    };
  }
  return {
    ...base,
    status: 'pass',
    detail: `${where} Note: ${module} is loaded with nested=${value}, which matters only for hypervisors inside lab VMs (lab VMs need none). To allow them: ${enable}.`,
  };
}

function devKvm(facts: LinuxFacts): PreflightCheck {
  const base = { id: 'dev-kvm', title: '/dev/kvm' };
  switch (facts['kvm.dev']) {
    case 'rw':
      return { ...base, status: 'pass', detail: `/dev/kvm is usable by ${facts['user.name']}.` };
    case 'no-access':
      return {
        ...base,
        status: 'fail',
        detail: `/dev/kvm exists but ${facts['user.name']} cannot open it.`,
        fix: `sudo usermod -aG kvm ${facts['user.name']} (then reconnect)`,
      };
    default:
      return {
        ...base,
        status: 'fail',
        detail: facts['kvm.dev'] === 'absent' ? 'There is no /dev/kvm.' : '/dev/kvm is not a KVM device.',
        fix:
          facts['kvm.module'] === 'loaded'
            ? 'The kvm module is loaded but created no device: check `dmesg | grep -i kvm`.'
            : 'Enable CPU virtualization, then `sudo modprobe kvm_intel` (or kvm_amd).',
      };
  }
}

function libvirtTools(facts: LinuxFacts): PreflightCheck {
  const missing = (['virsh', 'virt-install', 'qemu-img'] as const).filter((tool) => facts[`cmd.${tool}`] === '');
  return missing.length === 0
    ? { id: 'libvirt-tools', title: 'libvirt tools', status: 'pass', detail: 'virsh, virt-install and qemu-img are installed.' }
    : { id: 'libvirt-tools', title: 'libvirt tools', status: 'fail', detail: `Missing: ${missing.join(', ')}.`, fix: libvirtPackages };
}

function libvirtNetwork(facts: LinuxFacts): PreflightCheck {
  const base = { id: 'libvirt-network', title: 'libvirt default network' };
  const state = facts['libvirt.net_default'];
  if (state === undefined) return { ...base, status: 'fail', detail: 'virsh is not installed.', fix: libvirtPackages };
  if (state === 'yes') return { ...base, status: 'pass', detail: 'The default network is active.' };
  if (state === 'missing') {
    return {
      ...base,
      status: 'fail',
      detail: `No default network: ${facts['libvirt.net_error'] ?? ''}`.trim(),
      fix: 'sudo virsh net-define /usr/share/libvirt/networks/default.xml && sudo virsh net-start default && sudo virsh net-autostart default',
    };
  }
  return {
    ...base,
    status: 'warn',
    detail: 'The default network exists but is not active.',
    fix: 'sudo virsh net-start default && sudo virsh net-autostart default',
  };
}

function libvirtPool(facts: LinuxFacts): PreflightCheck {
  const base = { id: 'libvirt-pool', title: 'libvirt default storage pool' };
  const state = facts['libvirt.pool_default'];
  if (state === undefined) return { ...base, status: 'fail', detail: 'virsh is not installed.', fix: libvirtPackages };
  if (state === 'running') return { ...base, status: 'pass', detail: 'The default pool is running.' };
  const path = facts['disk.path'];
  if (state === 'missing') {
    return {
      ...base,
      status: 'fail',
      detail: 'There is no default storage pool.',
      fix: `sudo virsh pool-define-as default dir --target ${path} && sudo virsh pool-build default && sudo virsh pool-start default && sudo virsh pool-autostart default`,
    };
  }
  return {
    ...base,
    status: 'warn',
    detail: `The default pool is ${state}.`,
    fix: 'sudo virsh pool-start default && sudo virsh pool-autostart default',
  };
}

function libvirtGroup(facts: LinuxFacts, isRoot: boolean): PreflightCheck {
  const base = { id: 'libvirt-group', title: 'User in the libvirt group' };
  const groups = facts['user.groups'].split(/\s+/);
  if (isRoot) return { ...base, status: 'pass', detail: 'Connected as root.' };
  if (groups.includes('libvirt')) return { ...base, status: 'pass', detail: `${facts['user.name']} is in the libvirt group.` };
  return {
    ...base,
    status: 'fail',
    detail: `${facts['user.name']} is not in the libvirt group, so it cannot manage system VMs.`,
    fix: `sudo usermod -aG libvirt ${facts['user.name']} (then reconnect)`,
  };
}

function sudo(facts: LinuxFacts, isRoot: boolean): PreflightCheck {
  const base = { id: 'sudo', title: 'Non-interactive sudo' };
  if (isRoot) return { ...base, status: 'pass', detail: 'Connected as root; sudo is not needed.' };
  switch (facts.sudo) {
    case 'nopasswd':
      return { ...base, status: 'pass', detail: 'sudo works without a password.' };
    case 'password':
      return {
        ...base,
        status: 'warn',
        detail: 'sudo asks for a password. Nestlab can send a saved sudo password over stdin.',
        fix: `Save the sudo password for this host, or allow passwordless sudo: echo '${facts['user.name']} ALL=(ALL) NOPASSWD:ALL' | sudo tee /etc/sudoers.d/nestlab`,
      };
    case 'denied':
      return {
        ...base,
        status: 'fail',
        detail: `sudo refused: ${facts['sudo.error'] ?? ''}`.trim(),
        fix: `Add ${facts['user.name']} to the sudo group: usermod -aG sudo ${facts['user.name']} (as root).`,
      };
    case 'missing':
      return { ...base, status: 'fail', detail: 'sudo is not installed.', fix: 'apt-get install -y sudo (as root)' };
  }
}

function seedTooling(facts: LinuxFacts): PreflightCheck {
  const found = (['cloud-localds', 'genisoimage', 'xorriso', 'mkisofs'] as const).filter((tool) => facts[`cmd.${tool}`] !== '');
  return found.length > 0
    ? { id: 'cloud-init-seed', title: 'cloud-init seed tooling', status: 'pass', detail: `Found ${found.join(', ')}.` }
    : {
        id: 'cloud-init-seed',
        title: 'cloud-init seed tooling',
        status: 'fail',
        detail: 'None of cloud-localds, genisoimage or xorriso is installed; VM seed images cannot be built.',
        fix: 'sudo apt-get install -y cloud-image-utils',
      };
}
