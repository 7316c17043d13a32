/**
 * Runs an operation's steps: phase by phase in order, the steps of a phase in parallel, each
 * with its own progress, log lines and timing. Stops at the first phase with a failed step (or a
 * cancel), leaving later steps pending so a resume runs them; every step observes before it acts,
 * so steps that ran before simply find their work done.
 */
import type {
  CommandTarget,
  LabLogLine,
  LabMachine,
  LabOperation,
  LabPlan,
  LabStep,
  PlannedCommand,
  PlannedStep,
} from '../../shared/contract/labs';
import type { SFTPWrapper } from 'ssh2';
import { AppError } from '../../shared/errors';

import { requireSuccess } from '../hosts/remote-command';
import { buildCommand } from '../hosts/shell-quote';
import type { ExecResult } from '../hosts/ssh-connection';
import type { HostInvocation, LabDriver } from './lab-driver';
import { redactJoinSecrets } from './log-redaction';
import { copyLabBundle } from './offline-bundle';
import { phaseIndex, SERIAL_PHASES } from './step-planner';
import type { StepDefinition } from './step-planner';
import { dryResult } from './step-context';
import type { CommandOptions, StepContext, StepOutcome, VmCommand } from './step-context';

/** How the engine reaches the host (the hosts service, over the host's shared SSH connection). */
export interface HostAccess {
  run(
    argv: readonly string[],
    options: { root: boolean; stdin?: string | Buffer; timeoutMs?: number; signal: AbortSignal },
  ): Promise<ExecResult>;
  runPowerShell(script: string, options: { stdin?: string | Buffer; timeoutMs?: number; signal: AbortSignal }): Promise<ExecResult>;
  /** An SFTP session on the host's connection (the offline bundle's copy); the caller ends it. */
  sftp?(signal: AbortSignal): Promise<SFTPWrapper>;
}

export interface EngineEnvironment {
  plan: LabPlan;
  machines: LabMachine[];
  storagePath: string;
  /** The lab host's address as this computer reaches it. */
  hostAddress?: string;
  driver: LabDriver;
  host: HostAccess;
  /**
   * driver 'existing': how to reach a machine over its own SSH connection (the hosts service).
   * Without it a machine's commands go through the lab host (driver.vmInvocation).
   */
  machineAccess?: (machine: LabMachine) => HostAccess;
  log(line: Omit<LabLogLine, 'lab' | 'at'>): void;
  /** Called after every change of a step (the service persists and fires, throttled). */
  changed(): void;
}

const PARALLEL = 4;
/** A VM's PowerShell reads its script from stdin, so the script (which may hold a join token) is on no command line. */
export const POWERSHELL_STDIN = 'powershell -NoProfile -NonInteractive -Command -';

function display(argv: readonly string[], root: boolean): string {
  return buildCommand(root ? ['sudo', ...argv] : argv);
}

/** PROGRAM_FAILED (requireSuccess) for a failed command, its stderr without join secrets; the result itself otherwise. */
function checked(result: ExecResult, what: string): ExecResult {
  if (result.exitCode !== 0) requireSuccess({ ...result, stdout: '', stderr: redactJoinSecrets(result.stderr) }, what);
  return result;
}

function logOutput(env: EngineEnvironment, stepId: string, vm: string | undefined, result: ExecResult, secret: boolean): void {
  if (secret) return;
  for (const [stream, text] of [
    ['stdout', result.stdout],
    ['stderr', result.stderr],
  ] as const) {
    for (const line of text.split('\n')) {
      if (line.trim() !== '') env.log({ stepId, stream, text: redactJoinSecrets(line), ...(vm === undefined ? {} : { vm }) });
    }
  }
}

/** The context a step runs with, for real. */
function liveContext(env: EngineEnvironment, state: LabStep, signal: AbortSignal, shared: Map<string, string>): StepContext {
  const log = (stream: LabLogLine['stream'], text: string, vm?: string) =>
    env.log({ stepId: state.id, stream, text, ...(vm === undefined ? {} : { vm }) });
  const remoteFor = (
    command: VmCommand,
    root: boolean,
    options: CommandOptions,
  ): { remote: string; stdin?: string | Buffer; shown: string } => {
    if ('argv' in command) {
      const argv = root ? ['sudo', '-n', '--', ...command.argv] : [...command.argv];
      return {
        remote: buildCommand(argv),
        shown: display(command.argv, root),
        ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
      };
    }
    const first = command.powershell.split('\n')[0] ?? 'script';
    return { remote: POWERSHELL_STDIN, stdin: command.powershell, shown: `powershell ${first}` };
  };
  const onHost = async (invocation: HostInvocation, root: boolean, options: CommandOptions): Promise<ExecResult> => {
    const common = {
      signal,
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    };
    return 'argv' in invocation
      ? env.host.run(invocation.argv, { ...common, root })
      : env.host.runPowerShell(invocation.powershell, common);
  };
  const onMachine = (access: HostAccess, command: VmCommand, options: CommandOptions): Promise<ExecResult> => {
    const common = {
      signal,
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    };
    return 'argv' in command
      ? access.run(command.argv, { ...common, root: options.root ?? false })
      : access.runPowerShell(command.powershell, common);
  };
  const vmExec = async (machine: LabMachine, command: VmCommand, options: CommandOptions, check: boolean): Promise<ExecResult> => {
    if (machine.address === undefined) throw new AppError('INTERNAL', `${machine.name} has no address yet; run its address step first.`);
    const { remote, stdin, shown } = remoteFor(command, options.root ?? false, options);
    log('command', shown, machine.name);
    const access = env.machineAccess?.(machine);
    const result =
      access === undefined
        ? await onHost(env.driver.vmInvocation(machine.address, remote), false, { ...options, ...(stdin === undefined ? {} : { stdin }) })
        : await onMachine(access, command, options);
    logOutput(env, state.id, machine.name, result, options.secretOutput ?? false);
    return check ? checked(result, `${shown} on ${machine.name}`) : result;
  };
  const hostExec = async (argv: readonly string[], options: CommandOptions, check: boolean): Promise<ExecResult> => {
    const root = options.root ?? false;
    log('command', display(argv, root));
    const result = await onHost({ argv: [...argv] }, root, options);
    logOutput(env, state.id, undefined, result, options.secretOutput ?? false);
    return check ? checked(result, display(argv, root)) : result;
  };
  const hostScript = async (script: string, options: CommandOptions, check: boolean): Promise<ExecResult> => {
    log('command', `powershell ${script.split('\n')[0] ?? ''}`);
    const result = await onHost({ powershell: script }, false, options);
    logOutput(env, state.id, undefined, result, options.secretOutput ?? false);
    return check ? checked(result, 'PowerShell on the host') : result;
  };
  const progress = (fraction: number, detail?: string) => {
    state.progress = Math.max(0, Math.min(1, fraction));
    if (detail !== undefined) state.detail = detail;
    env.changed();
  };
  const copyBundleToHost = async (remoteDir: string) => {
    const { offlineBundle } = env.plan;
    const openSftp = env.host.sftp?.bind(env.host);
    if (offlineBundle === undefined || openSftp === undefined) throw new AppError('INTERNAL', 'This lab has no offline bundle to copy.');
    log('command', `sftp ${offlineBundle} -> ${remoteDir} (every file checked against manifest.json first)`);
    return copyLabBundle(offlineBundle, openSftp, remoteDir, { signal, progress });
  };
  return {
    dry: false,
    signal,
    plan: env.plan,
    machines: env.machines,
    storagePath: env.storagePath,
    ...(env.hostAddress === undefined ? {} : { hostAddress: env.hostAddress }),
    shared,
    log: (text) => log('info', text),
    local: (text) => log('info', text),
    progress,
    copyBundleToHost,
    host: (argv, options = {}) => hostExec(argv, options, true),
    observeHost: (argv, options = {}) => hostExec(argv, options, false),
    hostPowerShell: (script, options = {}) => hostScript(script, options, true),
    observeHostPowerShell: (script, options = {}) => hostScript(script, options, false),
    vm: (machine, command, options = {}) => vmExec(machine, command, options, true),
    observeVm: (machine, command, options = {}) => vmExec(machine, command, options, false),
    waitFor: async (what, probe, options) => {
      const deadline = Date.now() + options.timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline)
          throw new AppError('TIMEOUT', `Gave up waiting for ${what} after ${Math.round(options.timeoutMs / 1000)} s.`);
        await sleep(options.intervalMs, signal);
      }
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new AppError('CANCELLED', 'The operation was cancelled.'));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AppError('CANCELLED', 'The operation was cancelled.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The step list of a new operation (every step pending). */
export function initialSteps(definitions: readonly StepDefinition[]): LabStep[] {
  return definitions.map((definition) => ({
    id: definition.id,
    phase: definition.phase,
    title: definition.title,
    status: 'pending',
    progress: 0,
    estimateMs: definition.estimateMs,
    ...(definition.vm === undefined ? {} : { vm: definition.vm }),
  }));
}

/** Overall progress and the time still expected; phases run one after another, steps of a phase side by side. */
export function summarizeProgress(steps: readonly LabStep[]): { progress: number; remainingMs: number } {
  const phases = new Map<string, LabStep[]>();
  for (const step of steps) phases.set(step.phase, [...(phases.get(step.phase) ?? []), step]);
  let total = 0;
  let remaining = 0;
  for (const group of phases.values()) {
    const lefts = group.map((step) => (isFinished(step) ? 0 : step.estimateMs * (1 - step.progress)));
    const serial = SERIAL_PHASES.has(group[0]!.phase);
    const weight = serial ? sum(group.map((step) => step.estimateMs)) : Math.max(...group.map((step) => step.estimateMs));
    const left = serial ? sum(lefts) : Math.max(...lefts);
    total += weight;
    remaining += left;
  }
  return { progress: total === 0 ? 1 : Math.max(0, Math.min(1, 1 - remaining / total)), remainingMs: Math.round(remaining) };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function isFinished(step: LabStep): boolean {
  return step.status === 'done' || step.status === 'skipped';
}

/**
 * Run the operation's steps from the start (finished steps are observed again and pass quickly).
 * Resolves when every step finished; throws the first failure (CANCELLED after a cancel).
 */
export async function runSteps(
  env: EngineEnvironment,
  operation: LabOperation,
  definitions: readonly StepDefinition[],
  signal: AbortSignal,
): Promise<void> {
  const shared = new Map<string, string>();
  const phases = [...new Set(definitions.map((definition) => definition.phase))].sort((a, b) => phaseIndex(a) - phaseIndex(b));
  for (const phase of phases) {
    const group = definitions.filter((definition) => definition.phase === phase);
    const failures: unknown[] = [];
    const serial = SERIAL_PHASES.has(phase);
    await forEachLimited(group, serial ? 1 : PARALLEL, async (definition) => {
      const state = operation.steps.find((step) => step.id === definition.id);
      if (state === undefined) return;
      if (signal.aborted) return;
      // One after another: a step after a failed one stays pending (a resume starts it).
      if (serial && failures.length > 0) return;
      state.status = 'running';
      state.progress = 0;
      delete state.error;
      delete state.detail;
      state.startedAt = new Date().toISOString();
      delete state.finishedAt;
      env.changed();
      try {
        const outcome: StepOutcome = await definition.run(liveContext(env, state, signal, shared));
        state.status = outcome.status;
        state.progress = 1;
        if (outcome.detail !== undefined) state.detail = outcome.detail;
        if (outcome.status === 'skipped')
          env.log({ stepId: state.id, stream: 'info', text: outcome.detail, ...(state.vm === undefined ? {} : { vm: state.vm }) });
      } catch (error) {
        const appError = signal.aborted ? new AppError('CANCELLED', 'The operation was cancelled.') : AppError.from(error);
        state.status = appError.code === 'CANCELLED' ? 'cancelled' : 'failed';
        state.error = appError.toJSON();
        env.log({ stepId: state.id, stream: 'stderr', text: appError.message, ...(state.vm === undefined ? {} : { vm: state.vm }) });
        failures.push(appError);
      } finally {
        state.finishedAt = new Date().toISOString();
        env.changed();
      }
    });
    if (signal.aborted) throw new AppError('CANCELLED', 'The operation was cancelled.');
    if (failures.length > 0) throw failures[0];
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(workers);
}

/**
 * The dry run: every step runs against a recording context. Observations answer "not there
 * yet", actions succeed with no output, waits answer a placeholder; nothing leaves this process.
 */
export async function dryRunSteps(
  plan: LabPlan,
  machines: LabMachine[],
  storagePath: string,
  definitions: readonly StepDefinition[],
  hostAddress = '<host address>',
): Promise<PlannedStep[]> {
  const planned: PlannedStep[] = [];
  const signal = new AbortController().signal;
  for (const definition of definitions) {
    const commands: PlannedCommand[] = [];
    const record = (target: CommandTarget, shown: string, root: boolean, options: CommandOptions = {}) => {
      const stdin = options.stdinLabel === undefined ? '' : ` < ${options.stdinLabel}`;
      commands.push({ target, display: `${shown}${stdin}`, root });
    };
    const forVm = (machine: LabMachine, command: VmCommand, options: CommandOptions = {}) =>
      record(
        { kind: 'vm', vm: machine.name },
        'argv' in command ? display(command.argv, options.root ?? false) : `powershell -Command - <<'PS'\n${command.powershell}PS`,
        options.root ?? false,
        options,
      );
    const ctx: StepContext = {
      dry: true,
      signal,
      plan,
      machines,
      storagePath,
      hostAddress,
      shared: new Map(),
      log: () => undefined,
      local: (text) => record({ kind: 'local' }, text, false),
      progress: () => undefined,
      host: (argv, options) => {
        record({ kind: 'host' }, display(argv, options?.root ?? false), options?.root ?? false, options);
        return Promise.resolve(dryResult());
      },
      observeHost: (argv, options) => {
        record({ kind: 'host' }, display(argv, options?.root ?? false), options?.root ?? false, options);
        return Promise.resolve({ exitCode: 1, stdout: '', stderr: '' });
      },
      hostPowerShell: (script, options) => {
        record({ kind: 'host' }, `powershell -EncodedCommand <<'PS'\n${script}PS`, true, options);
        return Promise.resolve(dryResult());
      },
      observeHostPowerShell: (script, options) => {
        record({ kind: 'host' }, `powershell -EncodedCommand <<'PS'\n${script}PS`, true, options);
        return Promise.resolve({ exitCode: 1, stdout: '', stderr: '' });
      },
      vm: (machine, command, options) => {
        forVm(machine, command, options);
        return Promise.resolve(dryResult());
      },
      observeVm: (machine, command, options) => {
        forVm(machine, command, options);
        return Promise.resolve({ exitCode: 1, stdout: '', stderr: '' });
      },
      waitFor: async (_what, probe, options) => {
        await probe();
        return options.placeholder;
      },
      copyBundleToHost: (remoteDir) => {
        record({ kind: 'local' }, `check ${plan.offlineBundle ?? '<bundle>'} against its manifest.json (SHA-256 of every file)`, false);
        record(
          { kind: 'host' },
          `sftp ${plan.offlineBundle ?? '<bundle>'} -> ${remoteDir} (as .nestlab-part files, renamed when whole)`,
          false,
        );
        return Promise.resolve({ files: 0, sentBytes: 0, keptBytes: 0 });
      },
    };
    await definition.run(ctx);
    planned.push({
      id: definition.id,
      phase: definition.phase,
      title: definition.title,
      commands,
      ...(definition.vm === undefined ? {} : { vm: definition.vm }),
    });
  }
  return planned;
}
