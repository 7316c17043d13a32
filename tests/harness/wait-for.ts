/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds (default 30 000). */
  timeout?: number;
  /** Pause between attempts in milliseconds (default 200). */
  interval?: number;
  /** What is being waited for, used in the timeout message. */
  description?: string;
}

/**
 * Polls `condition` until it returns a value other than `undefined`, `null` or `false`, and returns
 * that value. A throwing condition counts as "not yet"; its last error is quoted in the timeout
 * message, which is what makes a failed wait readable in a test log.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Exclude<T, false | null | undefined>> {
  const timeout = options.timeout ?? 30_000;
  const interval = options.interval ?? 200;
  const startedAt = Date.now();
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false) {
        return value as Exclude<T, false | null | undefined>;
      }
      lastValue = value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const elapsed = Date.now() - startedAt;
    if (elapsed >= timeout) {
      const what = options.description ?? condition.toString().slice(0, 200);
      const last =
        lastError !== undefined
          ? `last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}`
          : `last value: ${String(lastValue)}`;
      throw new Error(`Timed out after ${timeout} ms waiting for ${what} (${last})`);
    }
    await delay(Math.min(interval, timeout - elapsed));
  }
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
