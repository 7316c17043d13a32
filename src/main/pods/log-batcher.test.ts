import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogBatch } from '../../shared/contract/pods';
import { LogBatcher } from './log-batcher';

afterEach(() => vi.useRealTimers());

const line = (container: string, text: string, timestamp: string) => ({ pod: 'web-0', container, text, timestamp });

describe('LogBatcher', () => {
  it('sends after the delay, merged by time, with the containers that joined, and at once when full', () => {
    vi.useFakeTimers();
    const batches: LogBatch[] = [];
    const batcher = new LogBatcher({ streamId: 's', delayMs: 100, maxLines: 3, emit: (batch) => batches.push(batch) });
    batcher.addSource({ pod: 'web-0', container: 'a', colour: 0 });
    batcher.add(line('a', 'a2', '2026-12-02T19:00:02Z'));
    batcher.add(line('b', 'b1', '2026-12-02T19:00:01Z'));
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ streamId: 's', seq: 1, sources: [{ container: 'a' }] });
    expect(batches[0]!.lines.map((l) => l.text)).toEqual(['b1', 'a2']);
    for (const text of ['x', 'y', 'z']) batcher.add(line('a', text, '2026-12-02T19:00:03Z'));
    expect(batches).toHaveLength(2);
    expect(batches[1]).not.toHaveProperty('sources');
  });

  it('sends nothing once closed', () => {
    vi.useFakeTimers();
    const batches: LogBatch[] = [];
    const batcher = new LogBatcher({ streamId: 's', delayMs: 100, maxLines: 10, emit: (batch) => batches.push(batch) });
    batcher.add(line('a', 'one', '2026-12-02T19:00:01Z'));
    batcher.close();
    batcher.add(line('a', 'two', '2026-12-02T19:00:02Z'));
    vi.advanceTimersByTime(1_000);
    batcher.flush();
    expect(batches).toEqual([]);
  });
});
