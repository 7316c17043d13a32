/**
 * A lab VM's power state as its hypervisor reports it, and the steps that change it: libvirt's
 * `virsh domstate` words and Hyper-V's Get-VM State mapped to one set of states, the wait for a
 * VM to be off, and the wait for a machine's node to be Ready after the VM booted (its kubelet
 * reports a new boot ID).
 */
import type { LabMachine, MachinePower, VmPowerState } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import type { ExecResult } from '../../hosts/ssh-connection';
import type { KubeCall } from './drain';
import { done, skipped } from '../step-context';
import type { StepContext, StepOutcome } from '../step-context';

/** How the power states are read outside an operation (the machine list's polling). */
export interface PowerReader {
  /** A command on the lab host, as root (libvirt). */
  run(argv: readonly string[]): Promise<ExecResult>;
  /** A PowerShell script on the lab host (Hyper-V). */
  powershell(script: string): Promise<ExecResult>;
}

/** The same reader over a step's context (observations: a failed command is an answer, not a throw). */
export function stepPowerReader(ctx: StepContext): PowerReader {
  return {
    run: (argv) => ctx.observeHost(argv, { root: true }),
    powershell: (script) => ctx.observeHostPowerShell(script),
  };
}

/** virsh domstate's words (libvirt 9: virshDomainStateToString). */
const LIBVIRT_STATES: Readonly<Record<string, VmPowerState>> = {
  running: 'running',
  idle: 'running',
  blocked: 'running',
  paused: 'paused',
  pmsuspended: 'paused',
  'in shutdown': 'stopping',
  'shut off': 'off',
  crashed: 'crashed',
  'no state': 'other',
};

/**
 * What `virsh domstate NAME` answered. libvirt reports a missing domain as VIR_ERR_NO_DOMAIN,
 * which virsh prints as "Domain not found"; any other failure (libvirtd down, no permission) is
 * not a power state and is thrown with virsh's words.
 */
export function parseDomstate(name: string, result: ExecResult): MachinePower {
  if (result.exitCode === 0) {
    const detail = result.stdout.trim().split('\n')[0]?.trim() ?? '';
    return { state: LIBVIRT_STATES[detail] ?? 'other', detail };
  }
  if (/Domain not found/i.test(result.stderr)) return { state: 'absent', detail: 'no such domain' };
  throw new AppError('PROGRAM_FAILED', `virsh domstate ${name} failed: ${result.stderr.trim() || `exit code ${result.exitCode}`}`, {
    fix: 'Check that libvirtd runs on the lab host and that the host user may use sudo.',
  });
}

/** Hyper-V's VMState names (Microsoft.HyperV.PowerShell.VMState). */
export function hypervPower(state: string): MachinePower {
  const detail = state.trim();
  const map: Readonly<Record<string, VmPowerState>> = {
    Running: 'running',
    RunningCritical: 'running',
    Off: 'off',
    OffCritical: 'off',
    Starting: 'starting',
    Resuming: 'starting',
    Reset: 'starting',
    Stopping: 'stopping',
    Saving: 'stopping',
    Pausing: 'stopping',
    Paused: 'paused',
    Saved: 'paused',
  };
  return { state: map[detail] ?? 'other', detail };
}

/** The lines "name<TAB>State" the Hyper-V power-state script prints; a VM it does not print is absent. */
export function parseHypervStates(names: readonly string[], stdout: string): Map<string, MachinePower> {
  const found = new Map<string, MachinePower>();
  for (const line of stdout.split(/\r?\n/)) {
    const [name, state] = line.split('\t');
    if (name !== undefined && state !== undefined && names.includes(name)) found.set(name, hypervPower(state));
  }
  for (const name of names) if (!found.has(name)) found.set(name, { state: 'absent', detail: 'no such VM' });
  return found;
}

/** How long a guest may take to shut down after it was asked (ACPI) before it is turned off. */
export const SHUTDOWN_GRACE_MS = 180_000;

/**
 * Wait until the VM is off, reading its state every 2 s; false when `graceMs` passed first (the
 * guest ignored the request). A dry run answers true.
 */
export async function waitUntilOff(ctx: StepContext, read: () => Promise<MachinePower>, graceMs = SHUTDOWN_GRACE_MS): Promise<boolean> {
  if (ctx.dry) return true;
  const deadline = Date.now() + graceMs;
  return ctx.waitFor(
    'the VM to shut down',
    async () => {
      const power = await read();
      if (power.state === 'off' || power.state === 'absent') return true;
      ctx.progress(0.5, `the guest is shutting down (${power.detail})`);
      return Date.now() > deadline ? false : undefined;
    },
    { timeoutMs: graceMs + 60_000, intervalMs: 2_000, placeholder: true },
  );
}

interface NodeBootView {
  status?: { nodeInfo?: { bootID?: string }; conditions?: { type: string; status: string }[] };
}

/** The node's boot ID as its kubelet last reported it (undefined: no node). */
export async function nodeBootId(kube: KubeCall, name: string): Promise<string | undefined> {
  try {
    return (await kube<NodeBootView>({ path: `/api/v1/nodes/${encodeURIComponent(name)}` })).status?.nodeInfo?.bootID ?? '';
  } catch (error) {
    if (AppError.from(error).code === 'NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * Wait until the machine's node is Ready and, when the VM was booted by this operation, reports a
 * boot ID other than `bootIdBefore` (a node whose VM was off only briefly is still Ready from
 * before: the boot ID tells the new kubelet's report apart). The API server may be away meanwhile
 * (the only control plane restarting): such reads count as not yet.
 */
export async function waitReadyAfterBoot(
  ctx: StepContext,
  kube: KubeCall,
  machine: LabMachine,
  bootIdBefore: string | undefined,
  timeoutMs: number,
): Promise<StepOutcome> {
  ctx.local(`Watch node ${machine.name} until it is Ready${bootIdBefore === undefined ? '' : ' with a new boot ID'}`);
  if (ctx.dry) return done();
  let last = 'not read yet';
  try {
    await ctx.waitFor(
      `node ${machine.name} to be Ready after the boot`,
      async () => {
        let node: NodeBootView;
        try {
          node = await kube<NodeBootView>({ path: `/api/v1/nodes/${encodeURIComponent(machine.name)}` });
        } catch (error) {
          last = `the API server did not answer (${AppError.from(error).message})`;
          ctx.progress(0.2, last);
          return undefined;
        }
        const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
        const rebooted = bootIdBefore === undefined || (node.status?.nodeInfo?.bootID ?? '') !== bootIdBefore;
        last = !rebooted ? 'its kubelet has not reported since the boot' : ready ? 'Ready' : 'NotReady';
        ctx.progress(rebooted ? 0.6 : 0.3, `node ${machine.name}: ${last}`);
        return rebooted && ready ? true : undefined;
      },
      { timeoutMs, intervalMs: 1_000, placeholder: true },
    );
  } catch (error) {
    if (AppError.from(error).code !== 'TIMEOUT') throw error;
    throw new AppError(
      'TIMEOUT',
      `Node ${machine.name} was not Ready after the boot within ${Math.round(timeoutMs / 60_000)} min; last seen: ${last}.`,
      {
        machine: machine.name,
        fix: "Look at the VM's console on the lab host (the kubelet's journal), then resume the lab to wait again.",
      },
    );
  }
  return bootIdBefore === undefined ? skipped(`${machine.name} was running already; its node is Ready.`) : done('Ready after the boot');
}
