/**
 * The health of every imported context: a check right after start and then every interval, one
 * check per context at a time (concurrent callers share it), and the last result of each, which
 * the Clusters view shows. Credentials the server refused are dropped so the next check resolves
 * them again (a plugin runs anew).
 */
import type { ClusterContext, ConnectionTestResult } from '../../shared/contract/clusters';
import { AppError } from '../../shared/errors';

export type Health = ClusterContext['health'];

/** A successful connection test without its timing. */
export type HealthyResult = Omit<Extract<ConnectionTestResult, { ok: true }>, 'checkedAt' | 'durationMs'>;

export interface HealthMonitorOptions {
  /** The contexts each round checks. */
  contexts: () => Promise<string[]>;
  /** One connection test; NOT_FOUND with details.context when the context is gone. */
  test: (context: string) => Promise<HealthyResult>;
  /** A check started or ended: the service says its state again. */
  changed: () => Promise<void>;
  /** The server refused a context's credentials (UNAUTHORIZED). */
  refused: (context: string) => void;
  /** A round this often; 0 turns the timer off. */
  intervalMs: number;
  now: () => Date;
}

export class HealthMonitor {
  private readonly health = new Map<string, Health>();
  private readonly inFlight = new Map<string, Promise<ConnectionTestResult>>();
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private readonly firstRound: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: HealthMonitorOptions) {
    if (options.intervalMs > 0) {
      this.timer = setInterval(() => void this.checkAll().catch(() => undefined), options.intervalMs);
      this.timer.unref?.();
      // A first round right after start, so a restarted app does not show "Not checked" for a whole interval.
      this.firstRound = setTimeout(() => void this.checkAll().catch(() => undefined), 500);
      this.firstRound.unref?.();
    }
  }

  /** What is known of a context's health. */
  of(context: string): Health {
    return this.health.get(context) ?? { checking: false };
  }

  /** Whether a context was checked since it was imported. */
  checked(context: string): boolean {
    return this.health.get(context)?.result !== undefined;
  }

  /** Forgets a context's health (imported again, or removed). */
  forget(context: string): void {
    this.health.delete(context);
  }

  /** One check per context at a time; concurrent callers share it. */
  check(context: string): Promise<ConnectionTestResult> {
    const running = this.inFlight.get(context);
    if (running !== undefined) return running;
    const task = this.run(context).finally(() => this.inFlight.delete(context));
    this.inFlight.set(context, task);
    return task;
  }

  /** Checks every context; one failing does not stop the others. */
  async checkAll(): Promise<void> {
    const names = await this.options.contexts();
    await Promise.all(names.map((name) => this.check(name).catch(() => undefined)));
  }

  dispose(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    if (this.firstRound !== undefined) clearTimeout(this.firstRound);
  }

  private async run(context: string): Promise<ConnectionTestResult> {
    const { now } = this.options;
    const started = now().getTime();
    this.health.set(context, { ...this.health.get(context), checking: true });
    await this.options.changed();
    let result: ConnectionTestResult;
    try {
      const healthy = await this.options.test(context);
      result = { ...healthy, checkedAt: now().toISOString(), durationMs: now().getTime() - started };
    } catch (error) {
      const appError = AppError.from(error);
      if (appError.code === 'NOT_FOUND' && appError.details?.context === context) {
        this.health.delete(context);
        throw appError;
      }
      // Cached plugin credentials the server refuses are dropped, so the next check runs it again.
      if (appError.code === 'UNAUTHORIZED') this.options.refused(context);
      result = { ok: false, error: appError.toJSON(), checkedAt: now().toISOString(), durationMs: now().getTime() - started };
    }
    this.health.set(context, { checking: false, result });
    await this.options.changed();
    return result;
  }
}
