/**
 * Capped exponential backoff with jitter: 250 ms, 500 ms, 1 s ... up to the cap, each delay
 * drawn between half and the full step so that many watches do not retry in lockstep.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs = 250,
    private readonly capMs = 10_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call doubles the step until the cap. */
  next(): number {
    const step = Math.min(this.capMs, this.initialMs * 2 ** this.attempt);
    this.attempt += 1;
    return Math.round(step / 2 + (step / 2) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
