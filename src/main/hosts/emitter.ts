/** Something that can be undone, such as an event subscription. */
export interface Disposable {
  dispose(): void;
}

/** Subscribe to an event; the returned Disposable unsubscribes. */
export type Event<T> = (listener: (value: T) => void) => Disposable;

/**
 * A minimal typed event source in the `onDidX` style of the contract: services expose
 * `readonly onDidX = this.xEmitter.event`, transports forward the plain JSON values.
 */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      // One failing listener must not starve the others or the service that fired.
      try {
        listener(value);
      } catch {
        // Listeners own their errors.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
