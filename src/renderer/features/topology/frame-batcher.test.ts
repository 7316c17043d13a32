import { describe, expect, it } from 'vitest';
import { FrameBatcher } from './frame-batcher';

describe('FrameBatcher', () => {
  it('hands over everything pushed between two frames at once', () => {
    const frames: (() => void)[] = [];
    const batches: number[][] = [];
    const batcher = new FrameBatcher<number>(
      (items) => batches.push(items),
      (callback) => frames.push(callback),
    );
    for (let i = 0; i < 50; i += 1) batcher.push(i);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    batcher.push(50);
    frames.shift()!();
    expect(batches.map((batch) => batch.length)).toEqual([50, 1]);
  });
});
