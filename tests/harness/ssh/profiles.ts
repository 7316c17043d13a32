/**
 * What each simulated lab host looks like. The SSH server, authentication, host keys and command
 * execution on a test host are real; only hardware facts the machine cannot have (CPU flags, the
 * kvm_intel `nested` parameter, RAM size, a libvirt daemon, Hyper-V) come from stand-ins.
 */

/** Facts a simulated Linux KVM host presents. */
export interface LinuxSimulation {
  os: 'linux';
  /** Logical CPUs listed in the stand-in /proc/cpuinfo. */
  cpus: number;
  /** CPU virtualization flag in /proc/cpuinfo; null = none (no VT-x / AMD-V exposed). */
  virtFlag: 'vmx' | 'svm' | null;
  /** The CPU flags include `hypervisor`: this host is itself a VM. */
  guest: boolean;
  /** Content of the stand-in /sys/module/kvm_intel/parameters/nested; null = module not loaded. */
  kvmIntelNested: 'Y' | 'N' | null;
  /**
   * What the host's private /dev holds at /dev/kvm: a KVM character device node (10:232, group kvm,
   * mode 0660), a regular file (the path exists but is no device, as in some containers), or
   * nothing. Made inside the host's own namespace, whatever the machine running the tests has.
   */
  devKvm: 'device' | 'regular-file' | 'absent';
  /** MemTotal in the stand-in /proc/meminfo. */
  memoryMiB: number;
  /** Size of the tmpfs mounted at /var/lib/libvirt/images (real `df` reads it). */
  diskGiB: number;
  /** Stand-in libvirt tools on PATH (virsh, virt-install, qemu-img, cloud-localds). */
  libvirt: boolean;
  /** Whether the test user is a member of the libvirt and kvm groups. */
  libvirtGroup: boolean;
  /** Stand-in sudo policy: NOPASSWD, or a password read with -S. */
  sudo: 'nopasswd' | 'password';
  /**
   * The host's own interfaces besides lo and the lab bridges (what the stand-in `ip -j addr`
   * lists; libvirt's virbr0 192.168.122.1/24 is added when `libvirt` is set). Default: eth0 on
   * 192.168.1.20/24.
   */
  interfaces?: { ifname: string; address: string }[];
  /** Extra routes (`ip -j route`), e.g. a VPN's: destination CIDR, gateway (or none), device. */
  routes?: { dst: string; gateway?: string; dev: string }[];
}

/** Facts a simulated Windows Hyper-V host presents (the JSON its stand-in powershell returns). */
export interface WindowsSimulation {
  os: 'windows';
  sudo: 'nopasswd' | 'password';
  facts: Record<string, unknown>;
}

export type HostSimulation = LinuxSimulation | WindowsSimulation;

const linuxBase: LinuxSimulation = {
  os: 'linux',
  cpus: 16,
  virtFlag: 'vmx',
  guest: false,
  kvmIntelNested: 'Y',
  devKvm: 'device',
  memoryMiB: 64 * 1024,
  diskGiB: 500,
  libvirt: true,
  libvirtGroup: true,
  sudo: 'nopasswd',
};

/** The test hosts of issue 8, and one whose /dev/kvm is no device (issue 15). */
export const simulations = {
  /** A KVM host ready for nested labs. */
  nestedOn: linuxBase,
  /** VT-x present but kvm_intel loaded with nested=N; sudo wants a password. */
  nestedOff: { ...linuxBase, kvmIntelNested: 'N', libvirtGroup: false, sudo: 'password' },
  /** A VM whose outer hypervisor exposes VT-x (vmx and `hypervisor` in its flags); its own kvm_intel has nested=N. */
  guestNestedOff: { ...linuxBase, guest: true, kvmIntelNested: 'N' },
  /** A VM without exposed virtualization extensions: no vmx, no kvm module, no /dev/kvm, no libvirt. */
  noKvm: {
    ...linuxBase,
    cpus: 4,
    virtFlag: null,
    guest: true,
    kvmIntelNested: null,
    devKvm: 'absent',
    libvirt: false,
    libvirtGroup: false,
  },
  /** Ready but for /dev/kvm, which is a regular file and no device (a container that faked the path). */
  kvmNotADevice: { ...linuxBase, devKvm: 'regular-file' },
  /** Everything installed, but only 6 GiB of RAM, 2 CPUs and a small disk. */
  lowRam: { ...linuxBase, cpus: 2, memoryMiB: 6 * 1024, diskGiB: 40 },
  /** Windows Server 2022 VM with Hyper-V, whose outer host does not expose virtualization. */
  windowsHyperV: {
    os: 'windows',
    sudo: 'nopasswd',
    facts: {
      osCaption: 'Microsoft Windows Server 2022 Datacenter',
      osVersion: '10.0.20348',
      manufacturer: 'Microsoft Corporation',
      model: 'Virtual Machine',
      logicalProcessors: 8,
      totalMemoryBytes: 34359738368,
      freeMemoryBytes: 30064771072,
      hypervisorPresent: true,
      vmMonitorModeExtensions: false,
      virtualizationFirmwareEnabled: false,
      hyperVFeature: 'Installed',
      vmmsRunning: true,
      hypervisorLaunchFailed: true,
      vmHost: { virtualMachinePath: 'C:\\ProgramData\\Microsoft\\Windows\\Hyper-V', memoryCapacityBytes: 34359738368 },
      vmPathFreeBytes: 214748364800,
      switches: [{ name: 'Default Switch', switchType: 'Internal' }],
      nat: [],
    },
  },
} satisfies Record<string, HostSimulation>;

/**
 * The host of the real libvirt tier (startTestHost with realLibvirt): the real libvirt stack, no
 * stand-ins, and no /dev/kvm, so libvirt offers QEMU's software emulation only (as on these
 * machines). CPU flags and RAM are still the simulated ones a lab plan is checked against.
 */
export const realLibvirtHost: LinuxSimulation = { ...linuxBase, libvirt: false, devKvm: 'absent', diskGiB: 20 };
