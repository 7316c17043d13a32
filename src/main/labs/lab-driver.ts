import type { LabMachine, MachinePower } from '../../shared/contract/labs';
import type { PowerReader } from './day2/vm-power';
import type { StepContext, StepOutcome } from './step-context';

/** How a command reaches a VM from the host: an argv for a Linux host, a PowerShell script for a Windows host. */
export type HostInvocation = { argv: string[] } | { powershell: string };

/**
 * What the engine needs from a VM driver (libvirt, Hyper-V). Every method observes the host
 * before it changes anything, so running it twice does what running it once did.
 */
export interface LabDriver {
  /** Lab folders on the host and the lab's SSH key pair (made on the host). */
  prepare(ctx: StepContext): Promise<StepOutcome>;
  ensureNetwork(ctx: StepContext): Promise<StepOutcome>;
  /** Copy the offline bundle from this computer to the host. */
  uploadBundle(ctx: StepContext): Promise<StepOutcome>;
  /** Disk, seed image and VM, each only when missing; a stopped VM is started. */
  ensureVm(ctx: StepContext, machine: LabMachine): Promise<StepOutcome>;
  /** One look for the VM's address; undefined while it has none. */
  address(ctx: StepContext, machine: LabMachine): Promise<string | undefined>;
  /** How long a new VM may take to get its address (5 minutes unless the driver knows better). */
  bootTimeoutMs?(ctx: StepContext): Promise<number>;
  /** Copy the uploaded offline bundle from the host into a VM's home folder (nestlab-bundle). */
  copyBundleToVm(ctx: StepContext, machine: LabMachine): Promise<void>;
  /** How to run `remote` (a quoted command line) on the VM at `address`, feeding it stdin. */
  vmInvocation(address: string, remote: string): HostInvocation;
  deleteVm(ctx: StepContext, machine: LabMachine): Promise<StepOutcome>;
  /** Each VM's power state, one look at the hypervisor (absent where the machines are no VMs Nestlab runs). */
  powerStates?(reader: PowerReader, machines: readonly LabMachine[]): Promise<Map<string, MachinePower>>;
  /** Start the VM unless it runs (NOT_FOUND when the hypervisor has no such VM). */
  startVm?(ctx: StepContext, machine: LabMachine): Promise<StepOutcome>;
  /**
   * Stop the VM unless it is off. shutdown: ask the guest and wait until it is off (turned off when
   * it ignores the request for vm-power's SHUTDOWN_GRACE_MS); turn-off: at once, as a power failure.
   */
  stopVm?(ctx: StepContext, machine: LabMachine, mode: 'shutdown' | 'turn-off'): Promise<StepOutcome>;
  /** A load balancer on the host in front of the control planes, where the plan's endpoint needs one (api-endpoint.ts). */
  ensureApiEndpoint?(ctx: StepContext): Promise<StepOutcome>;
  /** Removes what ensureApiEndpoint set up. */
  removeApiEndpoint?(ctx: StepContext): Promise<StepOutcome>;
  /** The network and the lab's folders, once every VM is gone. */
  cleanup(ctx: StepContext): Promise<StepOutcome>;
}
