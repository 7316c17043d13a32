/**
 * How a lab reaches its hosts: what the labs service needs of the lab hosts (hosts/lab-hosts.ts),
 * the engine's access to a host or an existing machine (commands as the user or root, PowerShell,
 * SFTP), the driver of a plan, and the inventory hosts of an existing-machines lab.
 */
import type { HostSummary } from '../../shared/contract/hosts';
import type { ExistingMachine, LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { powerShellCommand } from '../hosts/powershell';
import type { PreflightReport } from '../hosts/preflight/preflight-types';
import type { ExecOptions, ExecResult, SshConnection } from '../hosts/ssh-connection';
import { POWERSHELL_STDIN } from './engine';
import type { EngineEnvironment } from './engine';
import { ExistingMachinesDriver } from './existing-driver';
import { HyperVDriver } from './hyperv-driver';
import type { LabDriver } from './lab-driver';
import type { LabRecord } from './lab-store';
import { LibvirtDriver } from './libvirt-driver';

/** What the labs service needs of the lab hosts (hosts/lab-hosts.ts). */
export interface LabHosts {
  get(hostId: string): Promise<HostSummary>;
  probe(hostId: string, signal?: AbortSignal): Promise<PreflightReport>;
  run(hostId: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  runAsRoot(hostId: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  connection(hostId: string): Promise<SshConnection>;
}

export function driverFor(plan: LabPlan, storagePath: string, labId: string, inventory: ReadonlyMap<string, HostSummary>): LabDriver {
  if (plan.driver === 'hyperv') return new HyperVDriver(plan, storagePath, labId);
  if (plan.driver === 'libvirt') return new LibvirtDriver(plan, storagePath, labId);
  return new ExistingMachinesDriver(plan, inventory);
}

/** driver 'existing': the inventory hosts of the plan's machines (ids not in the inventory are left out). */
export async function existingInventory(hosts: LabHosts, plan: LabPlan): Promise<Map<string, HostSummary>> {
  const found = new Map<string, HostSummary>();
  if (plan.driver !== 'existing') return found;
  for (const { hostId } of plan.existingMachines ?? []) {
    const host = await hosts.get(hostId).catch(() => undefined);
    if (host !== undefined) found.set(hostId, host);
  }
  return found;
}

/** Every machine the record knows (being removed included), as plan entries. */
export function knownMachines(record: LabRecord): ExistingMachine[] {
  return record.machines.flatMap((machine) => (machine.hostId === undefined ? [] : [{ hostId: machine.hostId, role: machine.role }]));
}

/** `machine`: an existing machine, whose PowerShell reads the script from stdin (it may hold a join token). */
export function hostAccess(hosts: LabHosts, hostId: string, host: HostSummary, machine = false): EngineEnvironment['host'] {
  return {
    run: (argv, options) => {
      const { root, ...exec } = options;
      if (host.os === 'windows') throw new AppError('INTERNAL', 'Windows hosts take PowerShell scripts.');
      return root ? hosts.runAsRoot(hostId, argv, exec) : hosts.run(hostId, argv, exec);
    },
    // A lab host takes an encoded script; an existing Windows machine reads it from stdin (it may hold a join token).
    runPowerShell: async (script, options) =>
      machine
        ? (await hosts.connection(hostId)).exec(POWERSHELL_STDIN, { ...options, stdin: script })
        : (await hosts.connection(hostId)).exec(powerShellCommand(script), options),
    sftp: async (signal) => (await hosts.connection(hostId)).sftp(signal),
  };
}
