import type { TerminalExit, TerminalInfo, TerminalSize, TerminalsService, TerminalTarget } from '../../../src/shared/contract';
import type { Disposable } from '../../../src/shared/event';

/**
 * What the renderer does with a terminal, minus xterm: collects each tab's output, acknowledges
 * it (unless told not to, to test flow control) and waits for text or the exit by event.
 */
export class TerminalClient {
  private readonly output = new Map<string, string>();
  /** One streaming decoder per tab: a batch is whole characters, but that is the server's promise to check, not assume. */
  private readonly decoders = new Map<string, TextDecoder>();
  private readonly exits = new Map<string, TerminalExit>();
  private readonly waiters = new Set<() => void>();
  private readonly subscriptions: Disposable[];
  /** When false, output is collected but not acknowledged (a renderer that stopped drawing). */
  acknowledging = true;

  constructor(private readonly terminals: TerminalsService) {
    this.subscriptions = [
      terminals.onDidOutput(({ terminalId, data }) => {
        let decoder = this.decoders.get(terminalId);
        if (!decoder) this.decoders.set(terminalId, (decoder = new TextDecoder()));
        this.output.set(terminalId, (this.output.get(terminalId) ?? '') + decoder.decode(data, { stream: true }));
        // An acknowledgement can cross the link closing at the end of a test.
        if (this.acknowledging) terminals.acknowledge(terminalId, data.byteLength).catch(() => undefined);
        this.notify();
      }),
      terminals.onDidExit(({ terminalId, exit }) => {
        this.exits.set(terminalId, exit);
        this.notify();
      }),
    ];
  }

  open(target: TerminalTarget, size: TerminalSize = { cols: 80, rows: 24 }): Promise<TerminalInfo> {
    return this.terminals.open(target, size);
  }

  text(terminalId: string): string {
    return this.output.get(terminalId) ?? '';
  }

  /** Resolves with the output once `pattern` matches it (output after `from` characters only). */
  waitForOutput(terminalId: string, pattern: RegExp, options: { from?: number; timeoutMs?: number } = {}): Promise<RegExpMatchArray> {
    return this.until(
      () =>
        this.text(terminalId)
          .slice(options.from ?? 0)
          .match(pattern) ?? undefined,
      options.timeoutMs,
      () =>
        `output matching ${pattern} after ${options.from ?? 0} of ${this.text(terminalId).length} characters, ending:\n${this.text(terminalId).slice(-2000)}`,
    );
  }

  /** Resolves once the output holds at least `length` characters after `from`. */
  waitForLength(terminalId: string, length: number, options: { from?: number; timeoutMs?: number } = {}): Promise<number> {
    const from = options.from ?? 0;
    return this.until(
      () => (this.text(terminalId).length - from >= length ? this.text(terminalId).length - from : undefined),
      options.timeoutMs,
      () => `${length} characters after ${from}; got ${this.text(terminalId).length - from}`,
    );
  }

  /** Types a command line and resolves with what it printed between two unique markers. */
  async run(terminalId: string, command: string, timeoutMs = 20_000): Promise<string> {
    const marker = `M${Math.random().toString(36).slice(2, 10)}`;
    const from = this.text(terminalId).length;
    // The markers are built by the shell ($((...))), so the echoed command line never matches them.
    await this.terminals.write(terminalId, `echo ${marker}-$((1+1)); ${command}; echo ${marker}-$((2+1))\r`);
    const match = await this.waitForOutput(terminalId, new RegExp(`${marker}-2\\r?\\n([\\s\\S]*?)${marker}-3`), { from, timeoutMs });
    return match[1]!.replace(/\r/g, '');
  }

  waitForExit(terminalId: string, timeoutMs = 20_000): Promise<TerminalExit> {
    return this.until(
      () => this.exits.get(terminalId),
      timeoutMs,
      () => `the exit of ${terminalId}; output:\n${this.text(terminalId).slice(-2000)}`,
    );
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }

  private until<T>(check: () => T | undefined, timeoutMs = 20_000, describe: () => string): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(attempt);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(attempt);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${describe()}`));
      }, timeoutMs);
      this.waiters.add(attempt);
      attempt();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
