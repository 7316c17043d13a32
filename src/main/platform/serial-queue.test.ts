import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue';

/** A promise the test settles by hand, so it decides when each task finishes. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SerialQueue', () => {
  it('starts a task only after the one before it has finished, in call order', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    const first = deferred<void>();
    const a = queue.run(async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
    });
    const b = queue.run(() => {
      log.push('b');
      return Promise.resolve();
    });
    const c = queue.run(() => {
      log.push('c');
      return Promise.resolve();
    });
    await new Promise((settle) => setImmediate(settle));
    expect(log).toEqual(['a start']);
    first.resolve();
    await Promise.all([a, b, c]);
    expect(log).toEqual(['a start', 'a end', 'b', 'c']);
  });

  it('runs the next task after one fails', async () => {
    const queue = new SerialQueue();
    const failing = queue.run(() => Promise.reject(new Error('disk full')));
    const next = queue.run(() => Promise.resolve('written'));
    await expect(failing).rejects.toThrow('disk full');
    await expect(next).resolves.toBe('written');
  });

  it("gives each caller its own task's result or error", async () => {
    const queue = new SerialQueue();
    const slow = deferred<number>();
    const results = [
      queue.run(() => slow.promise),
      queue.run(() => Promise.reject(new Error('second failed'))),
      queue.run(() => Promise.resolve('third')),
    ];
    slow.resolve(1);
    const settled = await Promise.allSettled(results);
    expect(settled).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: new Error('second failed') },
      { status: 'fulfilled', value: 'third' },
    ]);
  });
});
