/**
 * A fixed-capacity ring: appending past the capacity drops the oldest entries. Entries keep a
 * global index (the count of entries ever appended before them), so a position survives the
 * oldest lines falling out.
 */
export class RingBuffer<T> {
  private readonly slots: (T | undefined)[];
  private start = 0;
  private size = 0;
  /** The global index of the oldest entry held. */
  firstIndex = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
    this.slots = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** The global index the next entry gets. */
  get endIndex(): number {
    return this.firstIndex + this.size;
  }

  push(entry: T): void {
    if (this.size < this.capacity) {
      this.slots[(this.start + this.size) % this.capacity] = entry;
      this.size += 1;
      return;
    }
    this.slots[this.start] = entry;
    this.start = (this.start + 1) % this.capacity;
    this.firstIndex += 1;
  }

  /** The entry at a position from the oldest (0) to length - 1. */
  at(position: number): T | undefined {
    if (position < 0 || position >= this.size) return undefined;
    return this.slots[(this.start + position) % this.capacity];
  }

  /** The entry with this global index, if it is still held. */
  byIndex(index: number): T | undefined {
    return this.at(index - this.firstIndex);
  }

  /** Entries from position `from` (inclusive) to `to` (exclusive). */
  slice(from: number, to: number): T[] {
    const out: T[] = [];
    for (let position = Math.max(0, from); position < Math.min(to, this.size); position += 1) out.push(this.at(position)!);
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.firstIndex += this.size;
    this.start = 0;
    this.size = 0;
  }
}
