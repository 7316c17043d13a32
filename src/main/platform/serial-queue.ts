/**
 * Runs async tasks one at a time in call order. Read-modify-write of a JSON store must not
 * interleave, or two quick updates would each write a copy that lacks the other's change.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
