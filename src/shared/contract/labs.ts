import type { Event } from '../event';
import type { SerializedError } from '../errors';
import { DEFAULT_KUBERNETES_VERSION } from '../kubernetes-versions';
import type { HostCapacity } from './hosts';
import type { LabSnapshotList } from './lab-snapshots';
import type { UpgradeRequest } from './lab-upgrade';
import { domainNames } from './names';

/** How the lab's machines come to exist. */
export type VmDriver =
  /** Linux host: qcow2 disks on a backing image, a cloud-init NoCloud seed, virt-install. */
  | 'libvirt'
  /** Windows host: differencing VHDX, a seed ISO, New-VM, an internal switch with NAT. */
  | 'hyperv'
  /** Machines that already run (reached over SSH, k3sup-style); nothing is created or deleted. */
  | 'existing';

/** The Kubernetes distribution installed on the machines. */
export type Distribution = 'k3s' | 'kubeadm';

/** Where etcd runs: on the control-plane VMs (stacked) or on 3 VMs of its own (external; kubeadm only). */
export type EtcdTopology = 'stacked' | 'external';

/**
 * The lab's network plugin. flannel and calico: their upstream manifests (or the offline bundle's
 * copies), applied to the cluster. bundle: the CNI plugins and network configuration of the offline
 * bundle's cni/ folder, installed on every node with the bundle (cni/bin/ into /opt/cni/bin,
 * cni/net.d/ into /etc/cni/net.d), nothing applied and no image pulled: a lab that needs no
 * registry at all (kubeadm with an offline bundle, Linux nodes only). A bridge + host-local
 * configuration gives each node its own pod network, so pods on different nodes do not reach each
 * other unless the configuration routes them.
 */
export type Cni = 'flannel' | 'calico' | 'bundle';

/** What a machine is for. `etcd` exists only with external etcd. */
export type MachineRole = 'control-plane' | 'etcd' | 'linux-worker' | 'windows-worker';

/** CPU, memory and disk of one VM. */
export interface VmSize {
  /** Which preset this came from ('custom' when the user edited the numbers). */
  preset: VmSizePresetName | 'custom';
  /** Virtual CPUs (1-64). */
  cpus: number;
  /** Memory in MiB (at least 1024). */
  memoryMiB: number;
  /** Disk in GiB (at least 10; thin-provisioned, but the capacity check counts all of it). */
  diskGiB: number;
}

export type VmSizePresetName = 'small' | 'medium' | 'large';

/** The size presets the plan form offers (the numbers a preset stands for). */
export const VM_SIZE_PRESETS: Readonly<Record<VmSizePresetName, Omit<VmSize, 'preset'>>> = {
  small: { cpus: 2, memoryMiB: 2048, diskGiB: 20 },
  medium: { cpus: 2, memoryMiB: 4096, diskGiB: 40 },
  large: { cpus: 4, memoryMiB: 8192, diskGiB: 60 },
};

/** The sizes of each kind of VM in a plan. */
export interface LabSizes {
  controlPlane: VmSize;
  linuxWorker: VmSize;
  windowsWorker: VmSize;
  /** Only used with external etcd. */
  etcd: VmSize;
}

/** The lab's VM network. */
export interface LabNetwork {
  /** NAT: a private network behind the host (libvirt network / Hyper-V internal switch + NetNat). Bridge: VMs on the host's LAN. */
  mode: 'nat' | 'bridge';
  /** Bridge mode: the host's bridge (Linux, e.g. br0) or external switch (Hyper-V) to attach to. */
  bridge?: string;
  /** The network in CIDR form, e.g. 192.168.150.0/24 (NAT: the host takes the first address as gateway). */
  cidr: string;
  /** First and last address handed to VMs (the DHCP range for NAT), inside `cidr`. */
  poolStart: string;
  poolEnd: string;
  /**
   * The pods' addresses (kubeadm podSubnet, k3s --cluster-cidr, the Calico IP pool, flannel's
   * Network), e.g. 10.244.0.0/16. Allocated per host: overlaps no other lab and no network of the host.
   */
  podCidr: string;
  /** The Services' cluster IPs (kubeadm serviceSubnet, k3s --service-cidr), e.g. 10.96.0.0/16. Allocated like `podCidr`. */
  serviceCidr: string;
  /**
   * First and last address MetalLB gives LoadBalancer Services (kubeadm labs; k3s uses its own
   * servicelb on the nodes' addresses): inside `cidr`, outside the DHCP pool and the API endpoint address.
   */
  loadBalancerStart: string;
  loadBalancerEnd: string;
}

/** The API server address every kubeconfig uses; put in the certificate's SANs from the start. */
export interface ApiEndpoint {
  /** A VIP or a DNS name (never a VM's own DHCP address, which can change). */
  host: string;
  /** Default 6443. */
  port: number;
  /**
   * The IPv4 address `host` stands for inside the lab network (equal to `host` when that is an
   * address): outside the DHCP pool and the LoadBalancer range, allocated per host. Not used by
   * labs of existing machines.
   */
  address: string;
  /**
   * libvirt NAT labs: the lab host's TCP port (one per lab, 16443 upwards) where HAProxy forwards
   * to the control planes, so kubeconfigs used from this computer or elsewhere reach the API
   * server at the host's address. Allocated when the lab is created if absent.
   */
  hostPort?: number;
}

/** One machine of an 'existing' lab: a host of the inventory and what it becomes. */
export interface ExistingMachine {
  /** Id of a host in the hosts inventory (its SSH credentials and accepted host key are used). */
  hostId: string;
  role: MachineRole;
}

/** Everything the plan form asks for. Plain JSON; persisted with the lab. */
export interface LabPlan {
  /** The lab's name: a DNS label (lower-case letters, digits, '-', at most 40 characters). Names VMs, the context, files. */
  name: string;
  /** The lab host (inventory id) that runs the VMs. */
  hostId: string;
  driver: VmDriver;
  distribution: Distribution;
  /**
   * x.y.z, e.g. 1.30.8: a version of the table in src/shared/kubernetes-versions.ts (1.19 and newer;
   * kubeadm before 1.24 installs from an offline bundle only).
   */
  kubernetesVersion: string;
  controlPlaneCount: 1 | 3;
  etcd: EtcdTopology;
  cni: Cni;
  /** Linux workers (0-20). */
  linuxWorkers: number;
  /** Windows workers (0-10). kubeadm only: k3s has no Windows agent. */
  windowsWorkers: number;
  /**
   * Windows workers join tainted os=windows:NoSchedule, so only pods that tolerate it (the
   * catalog's Windows apps do) land on them. Absent = true; false joins them untainted.
   */
  taintWindowsWorkers?: boolean;
  sizes: LabSizes;
  network: LabNetwork;
  apiEndpoint: ApiEndpoint;
  /** Linux cloud image on the host used as the backing image (libvirt: qcow2 path; Hyper-V: parent VHDX path). */
  baseImage: string;
  /** Windows Server image (with cloudbase-init) for Windows workers; required when windowsWorkers > 0. */
  windowsBaseImage?: string;
  /** A folder on this computer with binaries and image tarballs, uploaded to the host so VMs need no internet. */
  offlineBundle?: string;
  /** A registry mirror, e.g. https://mirror.lab:5000; containerd pulls through it. */
  registryMirror?: string;
  /** driver 'existing' only: the machines and their roles. */
  existingMachines?: ExistingMachine[];
}

/** An address range in use on a lab host, and what uses it (for the allocation and the Hosts view). */
export interface TakenRange {
  /** CIDR (10.244.0.0/16) or first-last (192.168.150.200-192.168.150.239). */
  range: string;
  /** What uses it, in words, e.g. "the host's network on eth0" or "lab2's pod range". */
  owner: string;
  /** The lab that holds it, when it is a lab's. */
  lab?: string;
  /** The host's interface, for the host's own networks and routes. */
  device?: string;
}

/** The next free networks of a host (proposeNetwork's answer): a value, never a throw for an unreadable host. */
export interface NetworkProposal {
  hostId: string;
  /** A NAT lab network with its DHCP pool, pod, service and LoadBalancer ranges, none overlapping `taken`. */
  network: LabNetwork;
  /** The API endpoint address inside `network` (outside the pool and the LoadBalancer range). */
  apiEndpointAddress: string;
  /** What the host's networks and its other labs already use. */
  taken: TakenRange[];
  /** Set when the host's own networks could not be read: the proposal then avoids the other labs only. */
  warning?: string;
}

/** A reason a plan cannot run (or a field the form should mark). */
export interface PlanProblem {
  /** The plan field, dotted (e.g. "windowsWorkers", "network.cidr", "sizes.linuxWorker.memoryMiB"). */
  field: string;
  /** What is wrong. */
  message: string;
  /** What to change. */
  fix: string;
}

/** One resource of the capacity check, with the arithmetic spelled out for the form. */
export interface CapacityLine {
  resource: 'cpu' | 'memory' | 'disk';
  /** The sum that was made, e.g. "1 control plane × 4 GiB + 2 Linux workers × 4 GiB + host reserve 2 GiB = 14 GiB". */
  arithmetic: string;
  /** The total needed, in `unit`. */
  needed: number;
  /** What the host offers, in `unit` (CPUs: logical CPUs × the overcommit ratio). */
  available: number;
  unit: 'vCPU' | 'MiB' | 'GiB';
  /** needed <= available. */
  ok: boolean;
  /** The whole line in words, e.g. "Memory: 14 GiB needed, 58.9 GiB available: fits." */
  summary: string;
}

/** The answer of checkPlan: a value, never a throw. */
export interface PlanCheck {
  /** No problem and every capacity line fits. */
  ok: boolean;
  problems: PlanProblem[];
  /** Empty when the host could not be probed (then a problem says why) or the driver is 'existing'. */
  capacity: CapacityLine[];
  /** What the host's preflight probe reported. */
  hostCapacity?: HostCapacity;
}

/** The status of one step. */
export type StepStatus = 'pending' | 'running' | 'done' | 'skipped' | 'failed' | 'cancelled';

/** Groups of steps, in order; steps of one phase run in parallel (one per VM). */
export type StepPhase =
  | 'prepare'
  | 'network'
  /** The API endpoint's load balancer on the lab host. */
  | 'endpoint'
  | 'bundle'
  | 'vms'
  | 'addresses'
  | 'ssh'
  | 'etcd'
  | 'bootstrap'
  | 'cni'
  /** MetalLB and its address pool (kubeadm labs). */
  | 'load-balancer'
  | 'join-control-planes'
  | 'join-linux-workers'
  | 'join-windows-workers'
  | 'kubeconfig'
  | 'nodes'
  | 'cordon'
  | 'drain'
  /** Pause the VMs, snapshot or revert each, resume them (lab snapshots). */
  | 'snapshot'
  /** kubeadm upgrade plan and apply on the first control plane. */
  | 'upgrade'
  /** Each node in turn: kubeadm upgrade node, drain, the new kubelet, uncordon. */
  | 'upgrade-nodes'
  /** Shut down, turn off or delete a machine's VM (Stop, Restart, Recreate, a failure drill). */
  | 'power-off'
  /** Start a machine's VM (Start, Restart). */
  | 'power-on'
  /** Watch the cluster react to a worker that failed (the failure drill's timeline). */
  | 'drill'
  /** Make a node schedulable again (the end of maintenance). */
  | 'uncordon'
  | 'delete-nodes'
  | 'delete-vms'
  | 'cleanup';

/** One step of an operation, as the progress list shows it. */
export interface LabStep {
  /** Stable within the operation, e.g. "create-vm:lab1-worker-2". Log lines name it. */
  id: string;
  phase: StepPhase;
  /** In words, e.g. "Create VM lab1-worker-2". */
  title: string;
  /** The VM this step works on, when it is about one VM. */
  vm?: string;
  status: StepStatus;
  /** 0..1 for the step's progress bar. */
  progress: number;
  /** What the step is doing now, or why it was skipped ("VM already running"). */
  detail?: string;
  /** ISO times. */
  startedAt?: string;
  finishedAt?: string;
  /** Expected duration, for the estimate. */
  estimateMs: number;
  /** Why it failed (the operation stops at the first failed phase). */
  error?: SerializedError;
}

/** A lab's lifecycle. */
export type LabStatus =
  /** An operation (provision, scale, delete) is running. */
  | 'running'
  /** Provisioned; nodes were Ready at the end of the last operation. */
  | 'ready'
  /** The last operation failed at a step: resume continues from there. */
  | 'failed'
  /** The user cancelled: resume continues. */
  | 'cancelled'
  /** The app stopped during an operation: resume continues. */
  | 'interrupted';

/** What kind of operation the steps belong to. */
export type LabOperationKind =
  | 'provision'
  | 'scale'
  | 'delete'
  /** Save an etcd snapshot and keep it on the lab host (day 2). */
  | 'etcd-snapshot'
  /** Restore an etcd snapshot: stop the API servers, restore each member's data dir, start, verify. */
  | 'etcd-restore'
  /** Pause every VM, snapshot each (libvirt snapshot, Hyper-V checkpoint) under one name, resume them (day 2). */
  | 'lab-snapshot'
  /** Revert every VM to a lab snapshot, resume them, wait for the nodes. */
  | 'lab-revert'
  /** Upgrade a kubeadm lab one minor version: the control plane, then node by node (day 2). */
  | 'upgrade'
  /** Put one machine's node in maintenance: cordon it and drain it; it stays cordoned (day 2). */
  | 'maintain'
  /** End a machine's maintenance: uncordon its node. */
  | 'resume-node'
  /** Start a machine's VM, wait for its node to be Ready again, uncordon it (day 2). */
  | 'start-machine'
  /** Cordon and drain a machine's node, then shut its VM down. */
  | 'stop-machine'
  /** Cordon and drain, shut the VM down and start it, wait for the node to be Ready after the boot, uncordon. */
  | 'restart-machine'
  /** Delete a worker's VM and node, make a new VM with the same name and role, join it. */
  | 'recreate-machine'
  /** Turn a worker's VM off without draining and measure how the cluster reacts (the timeline). */
  | 'failure-drill';

/**
 * A VM's power state as its hypervisor reports it (libvirt `virsh domstate`, Hyper-V `Get-VM`'s
 * State). off: shut off / Off; stopping: in shutdown / Stopping; paused: paused, suspended or
 * saved; absent: the hypervisor has no VM of that name; other: anything else (named in `detail`).
 */
export type VmPowerState = 'running' | 'starting' | 'stopping' | 'off' | 'paused' | 'crashed' | 'absent' | 'other';

/** One machine's VM as the hypervisor reports it now. */
export interface MachinePower {
  state: VmPowerState;
  /** The hypervisor's own word, e.g. "shut off" (virsh) or "Saved" (Hyper-V). */
  detail: string;
}

/** What the failure drill measured, in the order it was seen. */
export type DrillEventKind =
  /** The VM was turned off (the failure); `atMs` 0. */
  | 'vm-off'
  /** The node's Ready condition stopped being True (the node lifecycle controller's grace period). */
  | 'node-not-ready'
  /** The node got a NoExecute taint (node.kubernetes.io/unreachable or not-ready). */
  | 'taint'
  /** A pod of the node was marked for deletion (its toleration of the taint ran out). */
  | 'eviction'
  /** A replacement of an evicted pod runs on another node. */
  | 'rescheduled'
  /** The drill stopped watching (everything came back, or its time limit). */
  | 'end';

/** One line of the failure drill's timeline. */
export interface DrillEvent {
  kind: DrillEventKind;
  /** Milliseconds after the VM was turned off, as measured by Nestlab. */
  atMs: number;
  /** ISO time. */
  at: string;
  /** In words, e.g. "default/web-5d9c7 left lab1-linux1 (evicted by the taint manager)". */
  text: string;
  /** The pod the event is about (namespace/name). */
  pod?: string;
  /** rescheduled: the pod that runs in its place (namespace/name). */
  replacement?: string;
}

/** One machine of the lab as the lab knows it. */
export interface LabMachine {
  /** VM name = host name = Kubernetes node name, e.g. "lab1-worker-2". */
  name: string;
  role: MachineRole;
  os: 'linux' | 'windows';
  size: VmSize;
  /** Once known (from the DHCP lease / Hyper-V). */
  address?: string;
  /** absent: not created yet; created: VM exists; joined: member of the cluster. */
  state: 'absent' | 'created' | 'joined';
  /** driver 'existing': the inventory host this machine is (commands run over its own SSH connection). */
  hostId?: string;
}

/** The current (or last) operation of a lab. */
export interface LabOperation {
  kind: LabOperationKind;
  steps: LabStep[];
  /** 0..1, from the steps' estimates and progress, for the overall bar. */
  progress: number;
  startedAt: string;
  finishedAt?: string;
  /** Milliseconds spent so far (across resumes). */
  elapsedMs: number;
  /** Milliseconds still expected, from the remaining steps' estimates. */
  remainingMs: number;
  /** Why it stopped, when status is failed. */
  error?: SerializedError;
  /** The machine a machine operation (maintain, resume-node, start-machine, ...) is about. */
  machine?: string;
  /** failure-drill: what happened after the VM was turned off, with the times measured. */
  timeline?: DrillEvent[];
}

/**
 * How this computer reaches a lab's API server. direct: the server the saved kubeconfig names
 * (the lab host's port, or the endpoint itself). tunnel: the host's port did not answer from here,
 * so Nestlab serves the API on 127.0.0.1 through an SSH tunnel via the lab host to the endpoint in
 * the lab network; the kubeconfig names 127.0.0.1 with tls-server-name, and works only while
 * Nestlab runs.
 */
export type LabEndpointAccess =
  | { mode: 'direct'; server: string }
  | {
      mode: 'tunnel';
      /** https://127.0.0.1:<localPort>, the saved kubeconfig's server. */
      server: string;
      localPort: number;
      /** The name the API server's certificate is checked against (the endpoint name). */
      tlsServerName: string;
      /** Where the lab host sends the tunnel: the endpoint address and port in the lab network. */
      target: string;
      /** Why the host's port was not used (what the probe from this computer saw). */
      reason: string;
      /** Set when the tunnel is not serving now (e.g. its local port was taken after a restart), with the fix. */
      problem?: string;
    };

/**
 * Self-healing of a lab's workers (opt-in): a worker whose node stays NotReady past the grace
 * period is recreated (its VM and node deleted, a new one joined), unless the meltdown guard
 * trips. Control planes and cordoned workers (maintenance, a stopped VM) are never recreated.
 */
export interface SelfHealingSettings {
  enabled: boolean;
  /** How long a worker's node may be NotReady before it is recreated (default 300, 30-3600 seconds). */
  graceSeconds: number;
  /** Meltdown guard: at most this many workers recreated within the window (default 1, 1-20)... */
  maxMachines: number;
  /** ...and at most this fraction of the worker pool (rounded down, at least one machine; default 0.34, 0.05-1). */
  maxFraction: number;
  /** The guard's window in minutes (default 30, 1-1440); more NotReady workers at once than the limit trips it too. */
  windowMinutes: number;
}

export const DEFAULT_SELF_HEALING: Readonly<SelfHealingSettings> = {
  enabled: false,
  graceSeconds: 300,
  maxMachines: 1,
  maxFraction: 0.34,
  windowMinutes: 30,
};

/** One thing self-healing did or decided, with why. */
export interface SelfHealingEvent {
  /** ISO time. */
  at: string;
  kind: 'recreate' | 'tripped' | 'armed' | 'disarmed';
  machine?: string;
  reason: string;
}

/** A lab's self-healing: its settings, whether the guard tripped and why, the last events (newest last). */
export interface SelfHealingState {
  settings: SelfHealingSettings;
  /** Set when the meltdown guard stopped self-healing; turning it on again re-arms it. */
  tripped?: { at: string; reason: string };
  events: SelfHealingEvent[];
}

/** What the labs list shows. Plain JSON, no secrets. */
export interface LabSummary {
  name: string;
  hostId: string;
  status: LabStatus;
  plan: LabPlan;
  machines: LabMachine[];
  /** The context saved in Nestlab's clusters (named like the lab), once the kubeconfig was saved. */
  context?: string;
  /** How this computer reaches the lab's API server, once the kubeconfig step chose a way. */
  endpointAccess?: LabEndpointAccess;
  operation?: LabOperation;
  /** Self-healing of the workers, once it was ever turned on. */
  selfHealing?: SelfHealingState;
  createdAt: string;
  updatedAt: string;
}

/** One log line of a step. */
export interface LabLogLine {
  lab: string;
  stepId: string;
  /** The VM the line comes from, when the command ran on one. */
  vm?: string;
  /** command: the command line that ran; info: the engine's own words. */
  stream: 'command' | 'stdout' | 'stderr' | 'info';
  text: string;
  /** ISO time. */
  at: string;
}

/** Payload of onDidAppendLog: lines in order, batched. */
export interface LabLogBatch {
  lab: string;
  lines: LabLogLine[];
}

/** Which log lines to read. */
export interface LabLogQuery {
  stepId?: string;
  vm?: string;
  /** The last N lines (default 500, at most 5000). */
  limit?: number;
}

/** Where a dry-run command would run. */
export type CommandTarget =
  | { kind: 'host' }
  | { kind: 'vm'; vm: string }
  /** On this computer (uploads, the Kubernetes API calls). */
  | { kind: 'local' };

/** One command of the dry run. */
export interface PlannedCommand {
  target: CommandTarget;
  /** The command as it would run (quoted for a POSIX shell, or a PowerShell script). */
  display: string;
  /** Run as root (sudo) / elevated. */
  root: boolean;
}

/** The dry run of one step. */
export interface PlannedStep {
  id: string;
  phase: StepPhase;
  title: string;
  vm?: string;
  commands: PlannedCommand[];
}

/** The dry run: every step and every command, nothing executed. Invalid plans answer with the problems. */
export type DryRunResult = { status: 'invalid'; problems: PlanProblem[] } | { status: 'ok'; steps: PlannedStep[] };

/** The answer of create: refused plans are a value (the form shows the problems and the arithmetic). */
export type CreateLabResult = { status: 'started'; lab: LabSummary } | { status: 'refused'; check: PlanCheck };

/** New worker counts (the node-pool sliders). */
export interface ScaleRequest {
  linuxWorkers: number;
  windowsWorkers: number;
  /** How long a drain may take per node before it fails (default 120 s, at most 3600). */
  drainTimeoutSeconds?: number;
  /**
   * driver 'existing' only: the new machine list (add or remove workers; the control planes stay).
   * The worker counts must match it. Removed machines are drained, their node deleted, then reset.
   */
  existingMachines?: ExistingMachine[];
}

/** A day-2 action on one machine of a lab, run as the lab's operation. */
export type MachineAction =
  /**
   * Cordon the machine's node and drain it: every pod is evicted through the eviction API (so
   * PodDisruptionBudgets are honoured) except DaemonSet and mirror pods; the node stays cordoned.
   */
  | 'maintain'
  /** Uncordon the node: pods can be scheduled on it again. */
  | 'resume'
  /** Start the VM, wait until its node is Ready after the boot, uncordon it. */
  | 'start'
  /** Cordon and drain the node (as maintain), then shut the VM down (turned off when it does not shut down in time). It stays cordoned. */
  | 'stop'
  /** Cordon and drain, shut the VM down, start it, wait until the node is Ready after the boot, uncordon. */
  | 'restart'
  /** Workers only: drain when Ready, delete the VM and its node, make a new VM with the same name and role and join it. */
  | 'recreate'
  /** Workers only: turn the VM off without draining (a failure) and record the cluster's reaction as a timeline. */
  | 'simulate-failure';

/** What machineAction is asked to do. */
export interface MachineActionRequest {
  action: MachineAction;
  /** maintain: how long the drain may take before it fails naming the pods still there (default 120 s, at most 3600). */
  drainTimeoutSeconds?: number;
  /**
   * maintain: also evict pods with emptyDir volumes, whose emptyDir data is then lost (kubectl
   * drain --delete-emptydir-data). Without it such pods stop the drain, named, before any eviction.
   */
  deleteEmptyDirData?: boolean;
  /** simulate-failure: how long to watch the cluster react before the drill ends (default 10, 1-60 minutes). */
  drillMinutes?: number;
}

/** A machine's node as the cluster shows it now (machineStatuses). */
export interface MachineNodeStatus {
  /** The Ready condition is True. */
  ready: boolean;
  /** Cordoned (spec.unschedulable): no new pods are scheduled on it. */
  unschedulable: boolean;
  /** ISO time the Ready condition last changed (its lastTransitionTime), when the node reports one. */
  since?: string;
}

/** One machine of a lab as it is now. */
export interface MachineStatus {
  name: string;
  /** Its node; absent when the machine has none (etcd VMs, not joined yet) or the node is gone. */
  node?: MachineNodeStatus;
  /** Why the node could not be read (the API server did not answer). */
  nodeError?: string;
  /** Its VM as the hypervisor reports it; absent for machines Nestlab does not run as VMs (driver 'existing'). */
  power?: MachinePower;
  /** Why the power state could not be read (the host did not answer). */
  powerError?: string;
}

/** An etcd snapshot of a lab, kept on the lab host. Plain JSON; the snapshot itself (every Secret of the cluster) never crosses. */
export interface EtcdSnapshot {
  /** `etcd-YYYYMMDD-HHMMSS` (UTC): names the files on the host. */
  name: string;
  /** ISO time it was taken. */
  takenAt: string;
  /** The machine etcd was read on. */
  machine: string;
  /** What took it: `etcdctl snapshot save` (kubeadm) or `k3s etcd-snapshot save`. */
  tool: 'etcdctl' | 'k3s';
  sizeBytes: number;
  /** SHA-256 of the file (checked after every copy). */
  sha256: string;
  /** From `etcdctl snapshot status -w json` (absent when a k3s server had no etcdctl and could not get one: k3s ships none). */
  revision?: number;
  totalKeys?: number;
  /** etcd's hash of the snapshot's contents, in hex. */
  hash?: string;
  /** Objects (keys under /registry/) saved, which the restore checks are back. */
  savedObjects?: number;
  /** Where this computer keeps a copy, when one was made. */
  localCopy?: string;
}

/** The etcd snapshots of a lab, or why a lab has none. */
export interface EtcdSnapshotList {
  /** False when this lab cannot take etcd snapshots (`reason` says why and what to do). */
  supported: boolean;
  reason?: string;
  /** Oldest first. */
  snapshots: EtcdSnapshot[];
  /** Where they are kept on the lab host. */
  location?: string;
}

/** Options of saveEtcdSnapshot. */
export interface EtcdSnapshotRequest {
  /** How many snapshots the host keeps (older ones are removed after a save); default 5, 1-100. */
  keep?: number;
  /** Also copy the snapshot to this computer (Nestlab's data folder, readable by you only). */
  copyToComputer?: boolean;
}

/**
 * Lab clusters: a plan checked against the host, provisioned by ordered, observe-before-act steps
 * whose state is persisted (a re-run after a failure, a cancel or an app restart continues
 * without duplicating VMs or re-running `kubeadm init`), node pools, deletion. Long operations
 * return at once and report through onDidChangeLab / onDidAppendLog.
 */
export interface LabsService {
  /** Every lab, with its last operation. */
  list(): Promise<LabSummary[]>;
  /** One lab; NOT_FOUND when it does not exist. */
  get(name: string): Promise<LabSummary>;
  /** Validate the plan and check it against the host's capacity (probes the host). Never throws for a bad plan. */
  checkPlan(plan: LabPlan): Promise<PlanCheck>;
  /**
   * The next free lab network, pod, service and LoadBalancer ranges and API endpoint address on a
   * host: none overlaps the host's own networks (read over SSH) or another lab of that host.
   * `labName`: the lab being planned (its own ranges do not count as taken).
   */
  proposeNetwork(hostId: string, labName?: string): Promise<NetworkProposal>;
  /** Every step and command the plan would run; nothing runs and nothing is probed. */
  dryRun(plan: LabPlan): Promise<DryRunResult>;
  /** Check, then (when ok) persist the lab and start provisioning in the background. ALREADY_EXISTS for a taken name. */
  create(plan: LabPlan): Promise<CreateLabResult>;
  /** Continue a failed, cancelled or interrupted operation from where it stopped. */
  resume(name: string): Promise<LabSummary>;
  /** Stop the running operation after the commands in flight; status becomes 'cancelled'. */
  cancel(name: string): Promise<void>;
  /** Change the worker counts: scale up creates and joins; scale down cordons, drains, deletes the node, then the VM (existing machines: resets it). */
  scale(name: string, request: ScaleRequest): Promise<LabSummary>;
  /** Delete the lab: its VMs, disks, seed images, lab folder and stored kubeconfig. onDidRemoveLab fires when done. */
  remove(name: string): Promise<LabSummary>;
  /** Recent log lines of a lab, optionally of one step or VM. */
  logs(name: string, query: LabLogQuery): Promise<LabLogLine[]>;
  /** The lab's etcd snapshots on its host, with their status (revision, keys, size, hash). */
  etcdSnapshots(name: string): Promise<EtcdSnapshotList>;
  /** Take an etcd snapshot (operation 'etcd-snapshot'), keep it on the host, prune to `keep`; progress as for any operation. */
  saveEtcdSnapshot(name: string, request: EtcdSnapshotRequest): Promise<LabSummary>;
  /**
   * Put the cluster back to a snapshot (operation 'etcd-restore'): the API servers and etcd are
   * stopped, every member's data dir is restored from it (the old one kept beside it), they start
   * again and the objects the snapshot saved are checked to be back. Changes since the snapshot are lost.
   */
  restoreEtcdSnapshot(name: string, snapshot: string): Promise<LabSummary>;
  /** The lab's snapshots (each VM's libvirt snapshots or Hyper-V checkpoints of one name), oldest first. */
  labSnapshots(name: string): Promise<LabSnapshotList>;
  /**
   * Snapshot the whole lab (operation 'lab-snapshot'): every running VM is paused, so all are
   * taken at one moment with their memory, snapshotted, then resumed. INVALID_ARGUMENT for a lab
   * that is not ready or whose machines are not VMs.
   */
  saveLabSnapshot(name: string): Promise<LabSummary>;
  /**
   * Put every VM back to a complete lab snapshot (operation 'lab-revert'), resume them and wait for
   * the nodes; everything since the snapshot is lost. Also brings back a lab whose last operation failed.
   */
  revertLabSnapshot(name: string, snapshot: string): Promise<LabSummary>;
  /** Delete a lab snapshot from every VM that has it; the list afterwards. */
  deleteLabSnapshot(name: string, snapshot: string): Promise<LabSnapshotList>;
  /**
   * Upgrade a kubeadm lab one minor version (operation 'upgrade'): kubeadm upgrade plan and apply on
   * the first control plane, then node by node kubeadm upgrade node, cordon and drain, the new
   * kubelet and kubectl, Ready, uncordon. INVALID_ARGUMENT (with the reason) for a k3s lab, a
   * version that is not the next minor one, a lab installed from an offline bundle or with Windows workers.
   */
  upgrade(name: string, request: UpgradeRequest): Promise<LabSummary>;
  /**
   * A day-2 action on one machine, run as the lab's operation with its `machine` set (maintain,
   * resume-node, start-machine, stop-machine, restart-machine, recreate-machine, failure-drill; see
   * MachineAction). NOT_FOUND for an unknown machine; INVALID_ARGUMENT for a machine without a node,
   * a power action on a lab of existing machines, recreate or a drill on a control plane, or a lab
   * busy with another unfinished operation.
   */
  machineAction(name: string, machine: string, request: MachineActionRequest): Promise<LabSummary>;
  /** Each machine's node as the cluster shows it now (readiness, cordoned) and its VM's power state from the hypervisor. */
  machineStatuses(name: string): Promise<MachineStatus[]>;
  /**
   * Turn self-healing of the lab's workers on or off, or change its settings; turning it on again
   * re-arms a tripped meltdown guard. INVALID_ARGUMENT for a lab of existing machines.
   */
  setSelfHealing(name: string, settings: SelfHealingSettings): Promise<LabSummary>;
  /** A lab changed (step progress, status, machines). Fires at most every 100 ms per lab while steps run. */
  onDidChangeLab: Event<LabSummary>;
  /** New log lines. */
  onDidAppendLog: Event<LabLogBatch>;
  /** A lab was deleted (its VMs and files are gone). */
  onDidRemoveLab: Event<{ name: string }>;
}

export const labsNames = domainNames<LabsService>()({
  methods: [
    'list',
    'get',
    'checkPlan',
    'proposeNetwork',
    'dryRun',
    'create',
    'resume',
    'cancel',
    'scale',
    'remove',
    'logs',
    'etcdSnapshots',
    'saveEtcdSnapshot',
    'restoreEtcdSnapshot',
    'labSnapshots',
    'saveLabSnapshot',
    'revertLabSnapshot',
    'deleteLabSnapshot',
    'upgrade',
    'machineAction',
    'machineStatuses',
    'setSelfHealing',
  ],
  events: ['onDidChangeLab', 'onDidAppendLog', 'onDidRemoveLab'],
});

/**
 * The first allocation of a host with no labs and no network in the way: what defaultLabPlan()
 * starts from. The form asks LabsService.proposeNetwork() for the next free one of the chosen host.
 */
export const FIRST_LAB_NETWORK: Readonly<LabNetwork> = {
  mode: 'nat',
  cidr: '192.168.150.0/24',
  poolStart: '192.168.150.100',
  poolEnd: '192.168.150.199',
  podCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/16',
  loadBalancerStart: '192.168.150.200',
  loadBalancerEnd: '192.168.150.239',
};
export const FIRST_LAB_API_ADDRESS = '192.168.150.10';

/** A plan with sensible defaults for a host, for the form to start from. */
export function defaultLabPlan(hostId: string, name = 'lab1', storagePath = '/var/lib/libvirt/images'): LabPlan {
  const size = (preset: VmSizePresetName): VmSize => ({ preset, ...VM_SIZE_PRESETS[preset] });
  return {
    name,
    hostId,
    driver: 'libvirt',
    distribution: 'kubeadm',
    kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
    controlPlaneCount: 1,
    etcd: 'stacked',
    cni: 'flannel',
    linuxWorkers: 2,
    windowsWorkers: 0,
    sizes: { controlPlane: size('medium'), linuxWorker: size('medium'), windowsWorker: size('large'), etcd: size('small') },
    network: { ...FIRST_LAB_NETWORK },
    apiEndpoint: { host: `${name}-api.lab.internal`, port: 6443, address: FIRST_LAB_API_ADDRESS },
    baseImage: `${storagePath}/nestlab-base/jammy-server-cloudimg-amd64.img`,
  };
}
