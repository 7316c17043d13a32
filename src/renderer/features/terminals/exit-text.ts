import type { TerminalExit } from '../../../shared/contract';

/** How an ended terminal is described in its tab and status line. */
export function describeExit(exit: TerminalExit | undefined): string {
  if (exit === undefined) return 'Ended';
  if (exit.error !== undefined) return `Failed: ${exit.error.message}`;
  if (exit.exitCode !== null) return `Exited with status ${exit.exitCode}`;
  return exit.signal ? `Ended by ${exit.signal}` : 'Ended';
}
