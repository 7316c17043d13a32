/**
 * The log lines of each lab's operations, kept in memory: the last 5,000 per lab for the Labs
 * view's log (filtered by step or machine), and the lines not yet sent, which the service sends
 * with its next change.
 */
import type { LabLogLine, LabLogQuery } from '../../shared/contract/labs';

const LOG_LIMIT = 5000;

export class LabLogBuffer {
  private readonly kept = new Map<string, LabLogLine[]>();
  private readonly pending = new Map<string, LabLogLine[]>();

  append(lab: string, line: Omit<LabLogLine, 'lab' | 'at'>): void {
    const full: LabLogLine = { lab, at: new Date().toISOString(), ...line };
    const lines = this.kept.get(lab) ?? [];
    lines.push(full);
    if (lines.length > LOG_LIMIT) lines.splice(0, lines.length - LOG_LIMIT);
    this.kept.set(lab, lines);
    this.pending.set(lab, [...(this.pending.get(lab) ?? []), full]);
  }

  /** The newest `query.limit` (default 500) kept lines of the step or machine asked for. */
  query(lab: string, query: LabLogQuery): LabLogLine[] {
    const lines = (this.kept.get(lab) ?? []).filter(
      (line) => (query.stepId === undefined || line.stepId === query.stepId) && (query.vm === undefined || line.vm === query.vm),
    );
    return lines.slice(-(query.limit ?? 500));
  }

  /** The lines not sent yet, taken. */
  takePending(lab: string): LabLogLine[] | undefined {
    const lines = this.pending.get(lab);
    this.pending.delete(lab);
    return lines;
  }

  /** Drops a removed lab's kept lines. */
  forget(lab: string): void {
    this.kept.delete(lab);
  }
}
