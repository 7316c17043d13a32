import type { HostOs } from '../../shared/contract/hosts';
import type { LabPlan, MachineRole, PlanProblem, VmSize } from '../../shared/contract/labs';
import { endpointProblems } from '../../shared/lab-endpoint';
import { ipv4ToNumber, numberToIpv4 } from '../../shared/ipv4';
import { machineName, roleCounts, roleLabel, WINDOWS_NAME_LIMIT } from './machines';
import { versionProblems } from './version-validation';
import { planRangeProblems } from './network-allocation';

export { ipv4ToNumber, numberToIpv4 };

/** Lab names are DNS labels short enough that every VM name (lab1-linux20) stays a DNS label. */
export const LAB_NAME_MAX = 40;
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsName = /^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*$/;
/** Interface and switch names: no spaces, quotes or shell characters. */
const bridgeName = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,31}$/;

/** A parsed IPv4 CIDR: network address, prefix, first and last address. */
export interface Cidr {
  network: number;
  prefix: number;
  broadcast: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText] = text.split('/');
  const base = address === undefined ? undefined : ipv4ToNumber(address);
  const prefix = Number(prefixText);
  if (base === undefined || !/^\d{1,2}$/.test(prefixText ?? '') || prefix < 8 || prefix > 30) return undefined;
  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  return { network, prefix, broadcast: network + size - 1 };
}

/** The gateway of a NAT network: its first address (what libvirt and NetNat give the host). */
export function gatewayOf(cidr: Cidr): string {
  return numberToIpv4(cidr.network + 1);
}

export function netmaskOf(prefix: number): string {
  return numberToIpv4(2 ** 32 - 2 ** (32 - prefix));
}

function sizeProblems(
  field: string,
  size: VmSize,
  minimum: { cpus: number; memoryMiB: number; diskGiB: number },
  what: string,
): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (!Number.isInteger(size.cpus) || size.cpus < minimum.cpus || size.cpus > 64) {
    problems.push({
      field: `${field}.cpus`,
      message: `${what} needs ${minimum.cpus} to 64 vCPUs.`,
      fix: `Set at least ${minimum.cpus} vCPUs.`,
    });
  }
  if (!Number.isInteger(size.memoryMiB) || size.memoryMiB < minimum.memoryMiB || size.memoryMiB > 512 * 1024) {
    problems.push({
      field: `${field}.memoryMiB`,
      message: `${what} needs at least ${minimum.memoryMiB} MiB of memory.`,
      fix: `Choose a larger size preset or set at least ${minimum.memoryMiB} MiB.`,
    });
  }
  if (!Number.isInteger(size.diskGiB) || size.diskGiB < minimum.diskGiB || size.diskGiB > 4096) {
    problems.push({
      field: `${field}.diskGiB`,
      message: `${what} needs a disk of at least ${minimum.diskGiB} GiB.`,
      fix: `Set at least ${minimum.diskGiB} GiB.`,
    });
  }
  return problems;
}

function hasControlOrDash(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  return /[\u0000-\u001f\u007f]/.test(value) || value.startsWith('-');
}

/**
 * Every problem of a plan at once, each naming its field and the fix. `hostOs` (when the host is
 * known) checks the driver against it. Nothing here connects anywhere.
 */
export function validatePlan(plan: LabPlan, hostOs?: HostOs): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add = (field: string, message: string, fix: string) => problems.push({ field, message, fix });

  if (!dnsLabel.test(plan.name) || plan.name.length > LAB_NAME_MAX) {
    add(
      'name',
      `"${plan.name}" is not a valid lab name: it names VMs, host names and the kubeconfig context.`,
      `Use lower-case letters, digits and "-", starting and ending with a letter or digit, at most ${LAB_NAME_MAX} characters (e.g. "lab1").`,
    );
  }
  if (plan.driver === 'libvirt' && hostOs === 'windows') {
    add('driver', 'libvirt runs on Linux hosts; this host runs Windows.', 'Choose the Hyper-V driver for a Windows host.');
  }
  if (plan.driver === 'hyperv' && hostOs === 'linux') {
    add('driver', 'Hyper-V runs on Windows hosts; this host runs Linux.', 'Choose the libvirt driver for a Linux host.');
  }
  problems.push(...versionProblems(plan));
  if (plan.distribution === 'k3s' && plan.windowsWorkers > 0) {
    add(
      'windowsWorkers',
      'k3s cannot have Windows workers: k3s ships a Linux-only agent (its containerd, flannel and kube-proxy are built into one Linux binary), so a Windows node has nothing to run.',
      'Choose kubeadm to add Windows workers (the upstream kubeadm path for Windows nodes), or set Windows workers to 0.',
    );
  }
  if (plan.cni === 'bundle') problems.push(...bundleCniProblems(plan));
  if (plan.etcd === 'external' && plan.distribution === 'k3s') {
    add(
      'etcd',
      'External etcd is set up the kubeadm way (etcd static pods and kubeadm certificates); k3s keeps its own datastore.',
      'Choose kubeadm for external etcd, or stacked etcd with k3s (embedded etcd on the servers).',
    );
  }
  if (plan.etcd === 'external' && plan.driver === 'existing') {
    add('etcd', 'External etcd needs etcd VMs, which existing-machines labs do not create.', 'Choose stacked etcd.');
  }
  if (!Number.isInteger(plan.linuxWorkers) || plan.linuxWorkers < 0 || plan.linuxWorkers > 20) {
    add('linuxWorkers', 'Linux workers must be a whole number from 0 to 20.', 'Move the slider between 0 and 20.');
  }
  if (!Number.isInteger(plan.windowsWorkers) || plan.windowsWorkers < 0 || plan.windowsWorkers > 10) {
    add('windowsWorkers', 'Windows workers must be a whole number from 0 to 10.', 'Move the slider between 0 and 10.');
  }
  if (plan.windowsWorkers > 0 && plan.distribution === 'kubeadm') {
    const longest = machineName(plan.name, 'windows-worker', Math.max(plan.windowsWorkers, 1));
    if (longest.length > WINDOWS_NAME_LIMIT) {
      add(
        'name',
        `The Windows VM name "${longest}" is longer than ${WINDOWS_NAME_LIMIT} characters, which Windows computer names cannot be.`,
        `Use a lab name of at most ${WINDOWS_NAME_LIMIT - `-win${plan.windowsWorkers}`.length} characters.`,
      );
    }
    if (plan.driver !== 'existing' && (plan.windowsBaseImage ?? '') === '') {
      add(
        'windowsBaseImage',
        'Windows workers need a Windows Server image on the host.',
        'Give the path of a Windows Server 2022 image with cloudbase-init.',
      );
    }
  }

  const cpMinimum = { cpus: plan.distribution === 'kubeadm' ? 2 : 1, memoryMiB: 2048, diskGiB: 10 };
  problems.push(...sizeProblems('sizes.controlPlane', plan.sizes.controlPlane, cpMinimum, 'A control plane'));
  if (plan.linuxWorkers > 0) {
    problems.push(
      ...sizeProblems('sizes.linuxWorker', plan.sizes.linuxWorker, { cpus: 1, memoryMiB: 1024, diskGiB: 10 }, 'A Linux worker'),
    );
  }
  if (plan.windowsWorkers > 0) {
    problems.push(
      ...sizeProblems('sizes.windowsWorker', plan.sizes.windowsWorker, { cpus: 2, memoryMiB: 4096, diskGiB: 40 }, 'A Windows worker'),
    );
  }
  if (plan.etcd === 'external') {
    problems.push(...sizeProblems('sizes.etcd', plan.sizes.etcd, { cpus: 1, memoryMiB: 1024, diskGiB: 10 }, 'An etcd VM'));
  }

  if (plan.driver !== 'existing') problems.push(...networkProblems(plan));
  problems.push(...planRangeProblems(plan));
  const endpointHost = plan.apiEndpoint.host;
  if (!dnsName.test(endpointHost) && ipv4ToNumber(endpointHost) === undefined) {
    add(
      'apiEndpoint.host',
      `"${endpointHost}" is neither a DNS name nor an IPv4 address.`,
      'Enter a VIP (e.g. 192.168.150.10) or a DNS name (e.g. lab1-api.lab.internal).',
    );
  }
  if (!Number.isInteger(plan.apiEndpoint.port) || plan.apiEndpoint.port < 1 || plan.apiEndpoint.port > 65535) {
    add('apiEndpoint.port', 'The API port must be from 1 to 65535.', 'Use 6443 unless a load balancer says otherwise.');
  }
  problems.push(...endpointProblems(plan));

  for (const [field, value] of [
    ['baseImage', plan.baseImage],
    ['windowsBaseImage', plan.windowsBaseImage],
    ['offlineBundle', plan.offlineBundle],
  ] as const) {
    if (value === undefined || value === '') continue;
    if (hasControlOrDash(value) || !(value.startsWith('/') || /^[A-Za-z]:\\/.test(value))) {
      add(
        field,
        `"${value}" is not an absolute path.`,
        'Give a full path (e.g. /var/lib/libvirt/images/base.img or C:\\Images\\base.vhdx), without control characters.',
      );
    }
  }
  if (plan.driver !== 'existing' && plan.baseImage === '')
    add('baseImage', 'The plan has no base image.', 'Give the path of a Linux cloud image on the host.');
  if (
    plan.registryMirror !== undefined &&
    plan.registryMirror !== '' &&
    !/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[^\s]*)?$/.test(plan.registryMirror)
  ) {
    add('registryMirror', `"${plan.registryMirror}" is not an http(s) URL.`, 'Use e.g. https://mirror.lab.internal:5000.');
  }
  if (plan.driver === 'existing') problems.push(...existingProblems(plan));
  return problems;
}

function networkProblems(plan: LabPlan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add = (field: string, message: string, fix: string) => problems.push({ field, message, fix });
  const { network } = plan;
  if (network.mode === 'bridge' && !bridgeName.test(network.bridge ?? '')) {
    add(
      'network.bridge',
      'Bridge mode needs the name of the host bridge (Linux) or external switch (Hyper-V).',
      'Enter it, e.g. br0; letters, digits, ".", "_", ":" and "-" only.',
    );
  }
  const cidr = parseCidr(network.cidr);
  if (cidr === undefined) {
    add('network.cidr', `"${network.cidr}" is not an IPv4 network.`, 'Use CIDR form with a prefix from /8 to /30, e.g. 192.168.150.0/24.');
    return problems;
  }
  const start = ipv4ToNumber(network.poolStart);
  const end = ipv4ToNumber(network.poolEnd);
  const inside = (value: number) => value > cidr.network + 1 && value < cidr.broadcast;
  if (start === undefined || !inside(start)) {
    add(
      'network.poolStart',
      `The pool start ${network.poolStart} is not a usable address of ${network.cidr}.`,
      `Use an address after ${gatewayOf(cidr)} (the gateway) inside the network.`,
    );
  }
  if (end === undefined || !inside(end)) {
    add(
      'network.poolEnd',
      `The pool end ${network.poolEnd} is not a usable address of ${network.cidr}.`,
      'Use an address inside the network, before its broadcast address.',
    );
  }
  if (start !== undefined && end !== undefined) {
    const machines = Object.values(roleCounts(plan)).reduce((sum, count) => sum + count, 0);
    if (end < start) add('network.poolEnd', 'The pool ends before it starts.', 'Swap the pool start and end.');
    else if (end - start + 1 < machines) {
      add('network.poolEnd', `The pool has ${end - start + 1} addresses for ${machines} VMs.`, 'Widen the pool.');
    }
    const endpoint = ipv4ToNumber(plan.apiEndpoint.host);
    if (endpoint !== undefined && endpoint >= start && endpoint <= end) {
      add(
        'apiEndpoint.host',
        `The API endpoint ${plan.apiEndpoint.host} is inside the DHCP pool, so a VM could be given it.`,
        'Choose a VIP inside the network but outside the pool.',
      );
    }
  }
  return problems;
}

/**
 * driver 'existing': every role has exactly the machines the plan asks for, a host is used once,
 * and Windows machines only with kubeadm. Whether each host exists and has an accepted key is
 * checked by the service (it needs the inventory): see {@link existingHostProblems}.
 */
function existingProblems(plan: LabPlan): PlanProblem[] {
  const machines = plan.existingMachines ?? [];
  const problems: PlanProblem[] = [];
  const wanted = roleCounts(plan);
  for (const role of Object.keys(wanted) as MachineRole[]) {
    const have = machines.filter((machine) => machine.role === role).length;
    if (have !== wanted[role]) {
      problems.push({
        field: 'existingMachines',
        message: `The plan asks for ${roleLabel(role, wanted[role])} and ${have} ${have === 1 ? 'machine is' : 'machines are'} assigned to that role.`,
        fix: `Assign exactly ${wanted[role]} inventory host(s) to the ${role} role.`,
      });
    }
  }
  const seen = new Set<string>();
  for (const machine of machines) {
    if (seen.has(machine.hostId)) {
      problems.push({
        field: 'existingMachines',
        message: `Host ${machine.hostId} is assigned twice.`,
        fix: 'Give each machine one role.',
      });
    }
    seen.add(machine.hostId);
  }
  if (plan.offlineBundle !== undefined && plan.offlineBundle !== '') {
    problems.push({
      field: 'offlineBundle',
      message: 'Offline bundles are uploaded to a lab host for its VMs; existing machines install from their own package sources.',
      fix: 'Remove the offline bundle, or install the packages on the machines first.',
    });
  }
  if (plan.distribution === 'k3s' && machines.some((machine) => machine.role === 'windows-worker')) {
    problems.push({
      field: 'existingMachines',
      message: 'k3s cannot run on Windows machines: its agent is a Linux binary.',
      fix: 'Choose kubeadm for Windows machines, or assign them no role.',
    });
  }
  return problems;
}

/** The inventory facts of an existing machine that decide whether Nestlab can use it. */
export interface ExistingHostFacts {
  hostId: string;
  /** undefined: no such host in the inventory. */
  host?: { name: string; os: HostOs; hostKeyAccepted: boolean };
}

/** Each machine is a host of the inventory with an accepted host key, and Windows hosts are Windows workers. */
export function existingHostProblems(facts: readonly ExistingHostFacts[], roles: ReadonlyMap<string, MachineRole>): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const { hostId, host } of facts) {
    if (host === undefined) {
      problems.push({
        field: 'existingMachines',
        message: `Host ${hostId} is not in the inventory.`,
        fix: 'Add it in the Hosts view, or choose another host.',
      });
      continue;
    }
    if (!host.hostKeyAccepted) {
      problems.push({
        field: 'existingMachines',
        message: `${host.name} has no accepted host key, so Nestlab will not run commands on it.`,
        fix: `Test the connection to ${host.name} in the Hosts view and accept its host key fingerprint.`,
      });
    }
    const role = roles.get(hostId);
    if ((host.os === 'windows') !== (role === 'windows-worker')) {
      problems.push({
        field: 'existingMachines',
        message:
          host.os === 'windows'
            ? `${host.name} runs Windows and can only be a Windows worker.`
            : `${host.name} runs Linux and cannot be a Windows worker.`,
        fix: `Give ${host.name} a role that matches its OS.`,
      });
    }
  }
  return problems;
}

/** The network plugin from the offline bundle's cni/: kubeadm, an offline bundle, Linux nodes only. */
function bundleCniProblems(plan: LabPlan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add = (message: string, fix: string) => problems.push({ field: 'cni', message, fix });
  if (plan.offlineBundle === undefined || plan.offlineBundle === '') {
    add(
      'The network plugin from the offline bundle needs an offline bundle: its cni/ folder holds the plugins and the network configuration.',
      'Give an offline bundle with cni/bin/ and cni/net.d/, or choose Flannel or Calico.',
    );
  }
  if (plan.distribution === 'k3s') {
    add(
      "k3s runs its own flannel (or none); the bundle's cni/ is installed the kubeadm way.",
      'Choose kubeadm, or Flannel or Calico with k3s.',
    );
  }
  if (plan.windowsWorkers > 0) {
    add(
      "Windows workers need Flannel or Calico (their hostProcess DaemonSets); the bundle's cni/ holds Linux plugins.",
      'Choose Flannel or Calico, or set Windows workers to 0.',
    );
  }
  return problems;
}
