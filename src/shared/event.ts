/** Something that can be released: a subscription, a listener, a timer. */
export interface Disposable {
  dispose(): void;
}

/**
 * A subscribable event, VS Code style: call it with a listener, get a Disposable back.
 * Contract interfaces name their events `onDidX`.
 */
export type Event<T> = (listener: (value: T) => void) => Disposable;

/** Owns the listeners of one event; services keep it private and expose `emitter.event`. */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  dispose(): void {
    this.listeners.clear();
  }
}
