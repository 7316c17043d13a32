/**
 * Watch deltas arrive as fast as the main process sends them; the map takes them at most once
 * per animation frame. Items pushed between two frames are handed over together.
 */
export type ScheduleFrame = (callback: () => void) => void;

export class FrameBatcher<T> {
  private items: T[] = [];
  private scheduled = false;

  constructor(
    private readonly onFrame: (items: T[]) => void,
    private readonly schedule: ScheduleFrame = (callback) => requestAnimationFrame(() => callback()),
  ) {}

  push(item: T): void {
    this.items.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      const items = this.items;
      this.items = [];
      if (items.length > 0) this.onFrame(items);
    });
  }

  /** Drops what was not handed over yet (the context changed). */
  clear(): void {
    this.items = [];
  }
}
