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

  /** Calls every listener; one that throws is reported and does not stop the others. */
  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        console.error('An event listener failed:', error);
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  dispose(): void {
    this.listeners.clear();
  }
}
