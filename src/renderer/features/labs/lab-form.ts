/**
 * The lab plan form as plain data: what the user typed (kept as typed, never thrown away), the
 * few checks the form makes before a round trip (a DNS-label name, whole numbers the contract's
 * schema insists on), and the LabPlan it becomes. Every other rule (addresses inside the network,
 * k3s and Windows, capacity) is the labs service's: its problems come back with a dotted field
 * name, which is exactly a key of the draft, so each one is shown at its field.
 */
import {
  defaultLabPlan,
  VM_SIZE_PRESETS,
  type Cni,
  type Distribution,
  type EtcdTopology,
  type ExistingMachine,
  type HostSummary,
  type LabNetwork,
  type LabPlan,
  type LabSizes,
  type LabSummary,
  type PlanProblem,
  type VmDriver,
  type VmSize,
  type VmSizePresetName,
} from '../../../shared/contract';
import { lookUpKubernetesVersion, OLDEST_KUBERNETES_MINOR } from '../../../shared/kubernetes-versions';
import { networkLayout, slicesOutsidePool, type NetworkLayout } from '../../../shared/lab-network-layout';

export type SizeRole = keyof LabSizes;
export const sizeRoles: readonly SizeRole[] = ['controlPlane', 'linuxWorker', 'windowsWorker', 'etcd'];
type SizePreset = VmSizePresetName | 'custom';

type SizeFields = { [R in SizeRole as `sizes.${R}.preset`]: SizePreset } & {
  [R in SizeRole as `sizes.${R}.${'cpus' | 'memoryMiB' | 'diskGiB'}`]: string;
};

/**
 * The form's values, flat, keyed by the plan's dotted field names (the names the service's
 * PlanProblem.field uses). Numbers typed into text boxes stay strings until conversion.
 */
export type LabDraft = {
  name: string;
  hostId: string;
  driver: VmDriver;
  distribution: Distribution;
  kubernetesVersion: string;
  controlPlaneCount: 1 | 3;
  etcd: EtcdTopology;
  cni: Cni;
  linuxWorkers: number;
  /** Kept while k3s is chosen (the plan then gets 0), so switching back to kubeadm restores it. */
  windowsWorkers: number;
  /** Windows workers join tainted os=windows:NoSchedule (the plan leaves the field out when true). */
  taintWindowsWorkers: boolean;
  'network.mode': 'nat' | 'bridge';
  'network.bridge': string;
  'network.cidr': string;
  'network.poolStart': string;
  'network.poolEnd': string;
  'network.podCidr': string;
  'network.serviceCidr': string;
  'network.loadBalancerStart': string;
  'network.loadBalancerEnd': string;
  'apiEndpoint.host': string;
  'apiEndpoint.port': string;
  'apiEndpoint.address': string;
  baseImage: string;
  windowsBaseImage: string;
  offlineBundle: string;
  registryMirror: string;
  existingMachines: ExistingMachine[];
} & SizeFields;

export type DraftField = keyof LabDraft;
/** Messages by dotted field name ('' = about the plan as a whole). */
export type DraftErrors = Partial<Record<string, string>>;

export const LINUX_WORKER_MAX = 20;
export const WINDOWS_WORKER_MAX = 10;
export const LAB_NAME_MAX = 40;

export const presetLabels: Record<VmSizePresetName, string> = { small: 'Small', medium: 'Medium', large: 'Large' };

/** How the form and the lab details name each network plugin. */
export const CNI_LABELS: Readonly<Record<Cni, string>> = { flannel: 'Flannel', calico: 'Calico', bundle: "The bundle's cni/" };

/** "2 vCPU · 4 GiB RAM · 40 GiB disk" */
export function describeSize(size: Omit<VmSize, 'preset'>): string {
  const gib = Math.round((size.memoryMiB / 1024) * 10) / 10;
  return `${size.cpus} vCPU · ${gib} GiB RAM · ${size.diskGiB} GiB disk`;
}

/** The endpoint name the form suggests for a lab; it follows the name until the user changes it. */
export function defaultEndpointHost(name: string): string {
  return `${name}-api.lab.internal`;
}

/** libvirt on a Linux host, Hyper-V on a Windows host. */
export function hypervisorDriver(os: HostSummary['os'] | undefined): VmDriver {
  return os === 'windows' ? 'hyperv' : 'libvirt';
}

/** Where the base image is suggested: the host's VM storage (Windows hosts get a Windows path). */
function defaultBaseImage(host: HostSummary | undefined): string {
  if (host?.os === 'windows') {
    const storage = /^[A-Za-z]:\\/.test(host.storagePath) ? host.storagePath.replace(/\\+$/, '') : 'C:\\ProgramData\\Nestlab';
    return `${storage}\\nestlab-base\\jammy-server-cloudimg-amd64.vhdx`;
  }
  return defaultLabPlan('', 'lab', host?.storagePath).baseImage;
}

export function draftFromPlan(plan: LabPlan): LabDraft {
  const sizes = {} as Record<string, string>;
  for (const role of sizeRoles) {
    const size = plan.sizes[role];
    sizes[`sizes.${role}.preset`] = size.preset;
    sizes[`sizes.${role}.cpus`] = String(size.cpus);
    sizes[`sizes.${role}.memoryMiB`] = String(size.memoryMiB);
    sizes[`sizes.${role}.diskGiB`] = String(size.diskGiB);
  }
  return {
    name: plan.name,
    hostId: plan.hostId,
    driver: plan.driver,
    distribution: plan.distribution,
    kubernetesVersion: plan.kubernetesVersion,
    controlPlaneCount: plan.controlPlaneCount,
    etcd: plan.etcd,
    cni: plan.cni,
    linuxWorkers: plan.linuxWorkers,
    windowsWorkers: plan.windowsWorkers,
    taintWindowsWorkers: plan.taintWindowsWorkers !== false,
    'network.mode': plan.network.mode,
    'network.bridge': plan.network.bridge ?? '',
    ...networkDraft(plan.network, plan.apiEndpoint.address),
    'apiEndpoint.host': plan.apiEndpoint.host,
    'apiEndpoint.port': String(plan.apiEndpoint.port),
    baseImage: plan.baseImage,
    windowsBaseImage: plan.windowsBaseImage ?? '',
    offlineBundle: plan.offlineBundle ?? '',
    registryMirror: plan.registryMirror ?? '',
    existingMachines: plan.existingMachines ?? [],
    ...(sizes as SizeFields),
  };
}

/** The allocated ranges of a network as draft fields (a proposal of the chosen host fills the form with them). */
export function networkDraft(
  network: LabNetwork,
  apiEndpointAddress: string,
): Pick<
  LabDraft,
  | 'network.cidr'
  | 'network.poolStart'
  | 'network.poolEnd'
  | 'network.podCidr'
  | 'network.serviceCidr'
  | 'network.loadBalancerStart'
  | 'network.loadBalancerEnd'
  | 'apiEndpoint.address'
> {
  return {
    'network.cidr': network.cidr,
    'network.poolStart': network.poolStart,
    'network.poolEnd': network.poolEnd,
    'network.podCidr': network.podCidr,
    'network.serviceCidr': network.serviceCidr,
    'network.loadBalancerStart': network.loadBalancerStart,
    'network.loadBalancerEnd': network.loadBalancerEnd,
    'apiEndpoint.address': apiEndpointAddress,
  };
}

/** The first free "labN" name. */
export function nextLabName(labs: readonly Pick<LabSummary, 'name'>[]): string {
  const taken = new Set(labs.map((lab) => lab.name));
  for (let index = 1; ; index += 1) if (!taken.has(`lab${index}`)) return `lab${index}`;
}

/** A new plan: defaultLabPlan() for the first usable host (an accepted key first), driver from its OS. */
export function newLabDraft(hosts: readonly HostSummary[], labs: readonly Pick<LabSummary, 'name'>[]): LabDraft {
  const host = hosts.find((candidate) => candidate.hostKey !== undefined) ?? hosts[0];
  const plan = defaultLabPlan(host?.id ?? '', nextLabName(labs), host?.storagePath);
  return draftFromPlan({ ...plan, driver: hypervisorDriver(host?.os), baseImage: defaultBaseImage(host) });
}

/** The fields a lab network lays out; each follows the network until the user types a value of their own. */
export const NETWORK_LAYOUT_FIELDS = [
  'network.poolStart',
  'network.poolEnd',
  'network.loadBalancerStart',
  'network.loadBalancerEnd',
  'apiEndpoint.address',
] as const satisfies readonly DraftField[];
export type NetworkLayoutField = (typeof NETWORK_LAYOUT_FIELDS)[number];

const layoutKeys: Record<NetworkLayoutField, keyof NetworkLayout> = {
  'network.poolStart': 'poolStart',
  'network.poolEnd': 'poolEnd',
  'network.loadBalancerStart': 'loadBalancerStart',
  'network.loadBalancerEnd': 'loadBalancerEnd',
  'apiEndpoint.address': 'apiEndpointAddress',
};

export function isNetworkLayoutField(field: string): field is NetworkLayoutField {
  return (NETWORK_LAYOUT_FIELDS as readonly string[]).includes(field);
}

/**
 * The layout fields the user typed, after an edit: a layout field typed with a value is the user's
 * from then on, and one emptied follows the network again.
 */
export function typedAfterEdit(typed: readonly NetworkLayoutField[], field: DraftField, value: unknown): NetworkLayoutField[] {
  if (!isNetworkLayoutField(field)) return [...typed];
  const others = typed.filter((entry) => entry !== field);
  return typeof value === 'string' && value.trim() !== '' ? [...others, field] : others;
}

/**
 * The network's layout fields (pool, LoadBalancer range, endpoint address) recomputed from the
 * draft's network, except those the user typed: a typed pool moves the LoadBalancer range and the
 * endpoint address out of its way. A network that is not one yet (half typed, too small) changes
 * nothing: see {@link networkNote}.
 */
export function followNetwork(draft: LabDraft, typed: readonly NetworkLayoutField[]): LabDraft {
  const laidOut = networkLayout(draft['network.cidr']);
  if (!laidOut.ok) return draft;
  const own = (field: NetworkLayoutField) => typed.includes(field) && draft[field].trim() !== '';
  const target: NetworkLayout = { ...laidOut.layout };
  if (own('network.poolStart')) target.poolStart = draft['network.poolStart'].trim();
  if (own('network.poolEnd')) target.poolEnd = draft['network.poolEnd'].trim();
  if (target.poolStart !== laidOut.layout.poolStart || target.poolEnd !== laidOut.layout.poolEnd) {
    const around = slicesOutsidePool(draft['network.cidr'], target.poolStart, target.poolEnd);
    // No room around the user's pool: the other fields stay as they are and the check says why.
    if (around === undefined) return { ...draft, 'network.poolStart': target.poolStart, 'network.poolEnd': target.poolEnd };
    Object.assign(target, around);
  }
  const next = { ...draft };
  for (const field of NETWORK_LAYOUT_FIELDS) if (!own(field)) next[field] = target[layoutKeys[field]];
  return next;
}

/**
 * What the network field says as the user types: why the text is not a lab network yet (the laid
 * out fields keep their values meanwhile), or that those fields follow it.
 */
export function networkNote(draft: LabDraft): { problem: boolean; text: string } {
  const laidOut = networkLayout(draft['network.cidr']);
  if (laidOut.ok) return { problem: false, text: 'The pool, LoadBalancer range and endpoint address follow it until you type your own.' };
  return {
    problem: true,
    text: `${laidOut.message} ${laidOut.fix} The pool, LoadBalancer range and endpoint address keep their values until it is one.`,
  };
}

/**
 * One edit, with the follow-ups a user expects: the API endpoint follows the name while it is
 * the suggested one; a new host brings its hypervisor and base-image path (unless the user chose
 * other ones); a size preset fills its numbers, and typing a number makes the size custom; a new
 * network or pool lays out the network's other fields except those in `typed` (the user's own).
 */
export function applyEdit<K extends DraftField>(
  draft: LabDraft,
  field: K,
  value: LabDraft[K],
  hosts: readonly HostSummary[],
  typed: readonly NetworkLayoutField[] = [],
): LabDraft {
  let next: LabDraft = { ...draft, [field]: value };
  if (field === 'network.cidr' || field === 'network.poolStart' || field === 'network.poolEnd') {
    next = followNetwork(next, typedAfterEdit(typed, field, value));
  }
  if (field === 'name' && draft['apiEndpoint.host'] === defaultEndpointHost(draft.name)) {
    next['apiEndpoint.host'] = defaultEndpointHost(value as string);
  }
  if (field === 'hostId') {
    const before = hosts.find((host) => host.id === draft.hostId);
    const after = hosts.find((host) => host.id === value);
    if (draft.driver !== 'existing') next.driver = hypervisorDriver(after?.os);
    if (draft.baseImage === defaultBaseImage(before)) next.baseImage = defaultBaseImage(after);
  }
  const size = /^sizes\.(\w+)\.(preset|cpus|memoryMiB|diskGiB)$/.exec(field);
  if (size) {
    const role = size[1] as SizeRole;
    if (size[2] === 'preset' && value !== 'custom') {
      const preset = VM_SIZE_PRESETS[value as VmSizePresetName];
      next[`sizes.${role}.cpus`] = String(preset.cpus);
      next[`sizes.${role}.memoryMiB`] = String(preset.memoryMiB);
      next[`sizes.${role}.diskGiB`] = String(preset.diskGiB);
    } else if (size[2] !== 'preset') {
      next[`sizes.${role}.preset`] = 'custom';
    }
  }
  return next;
}

/** Which VM sizes the plan uses (the others are not checked and not shown as problems). */
export function usedSizeRoles(draft: LabDraft): SizeRole[] {
  return sizeRoles.filter(
    (role) =>
      role === 'controlPlane' ||
      (role === 'linuxWorker' && draft.linuxWorkers > 0) ||
      (role === 'windowsWorker' && draft.windowsWorkers > 0 && draft.distribution === 'kubeadm') ||
      (role === 'etcd' && draft.etcd === 'external'),
  );
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The name rule in words; the service says the same when it refuses one. */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'Enter a name for the lab, e.g. lab1.';
  if (name.length > LAB_NAME_MAX) return `The name is longer than ${LAB_NAME_MAX} characters: it also names every VM (${name}-linux20).`;
  if (!dnsLabel.test(name)) {
    return `"${name}" is not a DNS label: use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. lab1).`;
  }
  return undefined;
}

function wholeNumber(text: string): number | undefined {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : undefined;
}

const sizeUnits = {
  cpus: 'Enter the vCPUs as a whole number, e.g. 2.',
  memoryMiB: 'Enter the memory in MiB as a whole number, e.g. 4096.',
  diskGiB: 'Enter the disk in GiB as a whole number, e.g. 40.',
} as const;

export interface PlanConversion {
  /** Present when the form has nothing to fix before asking the service. */
  plan?: LabPlan;
  errors: DraftErrors;
}

/** The draft as a LabPlan, or the fields to fix first (each message names the fix). */
export function planFromDraft(draft: LabDraft): PlanConversion {
  const errors: DraftErrors = {};
  const name = nameProblem(draft.name);
  if (name) errors.name = name;
  if (draft.hostId === '') errors.hostId = 'Choose the lab host (add one in the Hosts view first).';
  const version = lookUpKubernetesVersion(draft.kubernetesVersion.trim());
  if (version.status === 'malformed') {
    errors.kubernetesVersion = `"${draft.kubernetesVersion}" is not a Kubernetes version: use major.minor.patch, e.g. 1.30.8.`;
  } else if (version.status === 'too-old') {
    errors.kubernetesVersion = `Kubernetes ${version.minorVersion} is older than Nestlab sets up: choose 1.${OLDEST_KUBERNETES_MINOR} or newer, e.g. 1.30.8.`;
  }
  const port = wholeNumber(draft['apiEndpoint.port']);
  if (port === undefined || port < 1 || port > 65535) errors['apiEndpoint.port'] = 'Enter a port from 1 to 65535 (usually 6443).';
  if (draft['apiEndpoint.host'].trim() === '')
    errors['apiEndpoint.host'] = 'Enter a VIP or DNS name for the API server, e.g. lab1-api.lab.internal.';
  if (draft.driver !== 'existing') {
    if (draft['network.cidr'].trim() === '') errors['network.cidr'] = 'Enter the VM network in CIDR form, e.g. 192.168.150.0/24.';
    else if (networkNote(draft).problem) errors['network.cidr'] = networkNote(draft).text;
    if (draft.baseImage.trim() === '') errors.baseImage = 'Enter the path of a Linux cloud image on the host.';
  }

  const used = usedSizeRoles(draft);
  const sizes = {} as LabSizes;
  for (const role of sizeRoles) {
    const preset = draft[`sizes.${role}.preset`];
    const fallback = VM_SIZE_PRESETS[preset === 'custom' ? 'medium' : preset];
    const size: VmSize = { preset, ...fallback };
    for (const key of ['cpus', 'memoryMiB', 'diskGiB'] as const) {
      const parsed = wholeNumber(draft[`sizes.${role}.${key}`]);
      if (parsed !== undefined) size[key] = parsed;
      else if (used.includes(role)) errors[`sizes.${role}.${key}`] = sizeUnits[key];
    }
    sizes[role] = size;
  }
  if (Object.keys(errors).length > 0) return { errors };

  const optional = (value: string) => (value.trim() === '' ? undefined : value.trim());
  const plan: LabPlan = {
    name: draft.name,
    hostId: draft.hostId,
    driver: draft.driver,
    distribution: draft.distribution,
    kubernetesVersion: draft.kubernetesVersion.trim(),
    controlPlaneCount: draft.controlPlaneCount,
    etcd: draft.etcd,
    cni: draft.cni,
    linuxWorkers: draft.linuxWorkers,
    windowsWorkers: draft.distribution === 'k3s' ? 0 : draft.windowsWorkers,
    sizes,
    network: {
      mode: draft['network.mode'],
      cidr: draft['network.cidr'].trim(),
      poolStart: draft['network.poolStart'].trim(),
      poolEnd: draft['network.poolEnd'].trim(),
      podCidr: draft['network.podCidr'].trim(),
      serviceCidr: draft['network.serviceCidr'].trim(),
      loadBalancerStart: draft['network.loadBalancerStart'].trim(),
      loadBalancerEnd: draft['network.loadBalancerEnd'].trim(),
    },
    apiEndpoint: { host: draft['apiEndpoint.host'].trim(), port: port!, address: draft['apiEndpoint.address'].trim() },
    baseImage: draft.baseImage.trim(),
  };
  const bridge = optional(draft['network.bridge']);
  if (draft['network.mode'] === 'bridge' && bridge !== undefined) plan.network.bridge = bridge;
  for (const key of ['windowsBaseImage', 'offlineBundle', 'registryMirror'] as const) {
    const value = optional(draft[key]);
    if (value !== undefined) plan[key] = value;
  }
  if (draft.driver === 'existing') plan.existingMachines = draft.existingMachines;
  if (plan.windowsWorkers > 0 && !draft.taintWindowsWorkers) plan.taintWindowsWorkers = false;
  return { plan, errors };
}

/** The service's problems by field, one message each ("what is wrong. What to change."). */
export function errorsFromProblems(problems: readonly PlanProblem[]): DraftErrors {
  const errors: DraftErrors = {};
  for (const problem of problems) {
    const text = `${problem.message} ${problem.fix}`;
    const key = problem.field;
    errors[key] = errors[key] ? `${errors[key]} ${text}` : text;
  }
  return errors;
}

/** The fields the form shows; a problem about any other field is listed with the check result. */
export function isFormField(field: string, draft: LabDraft): field is DraftField {
  return Object.prototype.hasOwnProperty.call(draft, field);
}
