import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import type { ExecResult } from '../hosts/ssh-connection';
import type { BundleCopyResult } from '../offline-kit/bundle-copy';

/** A command for a VM: an argument list (Linux; quoted for the remote shell) or a PowerShell script (Windows). */
export type VmCommand =
  | { argv: readonly string[] }
  /** Sent over stdin to `powershell -Command -`, so it never appears on a command line (it may hold a join token). */
  | { powershell: string };

/** Options of one command. */
export interface CommandOptions {
  /** Linux: through sudo. */
  root?: boolean;
  /** Sent on stdin (file contents, scripts). Never logged. */
  stdin?: string | Buffer;
  /** What stdin stands for in the dry run, e.g. "<kubeadm.yaml>". */
  stdinLabel?: string;
  timeoutMs?: number;
  /** stdout holds a secret (a kubeconfig, a token): it is not logged. */
  secretOutput?: boolean;
}

/**
 * What a step gets to do its work. Observations (`observe*`) never throw for a non-zero exit and
 * in a dry run answer "not there yet" so the acting commands are listed too; actions throw
 * PROGRAM_FAILED on a non-zero exit. Every command is logged with the step (stdin never is).
 */
export interface StepContext {
  readonly dry: boolean;
  readonly signal: AbortSignal;
  readonly plan: LabPlan;
  /** The lab's machines; steps update addresses and states, the engine persists them. */
  readonly machines: LabMachine[];
  /** Host facts the steps need (storage path of the host). */
  readonly storagePath: string;
  /** The lab host's address as this computer reaches it (named in the API server's certificate where HAProxy's host port is the way in). */
  readonly hostAddress?: string;
  log(text: string): void;
  progress(fraction: number, detail?: string): void;
  host(argv: readonly string[], options?: CommandOptions): Promise<ExecResult>;
  observeHost(argv: readonly string[], options?: CommandOptions): Promise<ExecResult>;
  /** Windows hosts: a PowerShell script (elevated session over OpenSSH). */
  hostPowerShell(script: string, options?: CommandOptions): Promise<ExecResult>;
  observeHostPowerShell(script: string, options?: CommandOptions): Promise<ExecResult>;
  vm(machine: LabMachine, command: VmCommand, options?: CommandOptions): Promise<ExecResult>;
  observeVm(machine: LabMachine, command: VmCommand, options?: CommandOptions): Promise<ExecResult>;
  /**
   * Copies the plan's offline bundle to `remoteDir` on the host (relative to the SSH user's home):
   * checked against its manifest here first, then over SFTP with the step's progress, resuming what
   * a dropped copy left. The dry run lists it.
   */
  copyBundleToHost(remoteDir: string): Promise<BundleCopyResult>;
  /** A call this computer makes (to the Kubernetes API): logged, and listed by the dry run. */
  local(description: string): void;
  /**
   * Ask `probe` until it answers (not undefined), every `intervalMs`, for at most `timeoutMs`
   * (then TIMEOUT naming `what`). A dry run asks once and answers `placeholder`.
   */
  waitFor<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    options: { timeoutMs: number; intervalMs: number; placeholder: T },
  ): Promise<T>;
  /** Values shared between steps of one operation (join commands, tokens); never persisted or logged. */
  readonly shared: Map<string, string>;
}

/** What a step reports when it is done. */
export type StepOutcome = { status: 'done'; detail?: string } | { status: 'skipped'; detail: string };

export const done = (detail?: string): StepOutcome => (detail === undefined ? { status: 'done' } : { status: 'done', detail });
export const skipped = (detail: string): StepOutcome => ({ status: 'skipped', detail });

/** A machine's address, or a dry-run placeholder. */
export function addressOf(ctx: StepContext, machine: LabMachine): string {
  if (machine.address !== undefined) return machine.address;
  if (ctx.dry) return `<address of ${machine.name}>`;
  throw new Error(`${machine.name} has no address yet`);
}

/** A succeeded exec result, for dry runs. */
export const dryResult = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
