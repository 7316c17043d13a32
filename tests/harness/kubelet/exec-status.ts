import { constants } from 'node:os';

/**
 * The metav1.Status a kubelet writes on the exec status channel (3) when the command ends, as
 * kubelet's remotecommand server builds it.
 */
export interface ExecStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes: Array<{ reason?: string; message: string }> };
}

export function successStatus(): ExecStatus {
  return { metadata: {}, status: 'Success' };
}

/** Failure with reason NonZeroExitCode and an ExitCode cause: what kubectl turns into its own exit code. */
export function exitCodeStatus(exitCode: number, argv: readonly string[]): ExecStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** The command could not start (missing program and the like): an InternalError, as kubelet reports it. */
export function internalErrorStatus(message: string): ExecStatus {
  const text = `error executing command in container: ${message}`;
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${text}`,
    reason: 'InternalError',
    code: 500,
    details: { causes: [{ message: text }] },
  };
}

/** Exit code of a process that ended, the way container runtimes report signals (128 + number). */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | number | null): number {
  if (code !== null) return code;
  if (typeof signal === 'number') return 128 + signal;
  return 128 + (signal !== null ? constants.signals[signal] : 0);
}
