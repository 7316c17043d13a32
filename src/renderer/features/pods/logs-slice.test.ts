/**
 * The logs slice through the real RPC client and dispatcher (in-memory transport), with a
 * scripted pods service standing in for the main process.
 */
import { describe, expect, it, vi } from 'vitest';
import type { LogBatch, LogSource, LogStreamEnd, LogStreamInfo } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { Emitter } from '../../../shared/event';
import { storeOver } from '../../store/store.test-support';

const source: LogSource = { context: 'lab', namespace: 'shop', kind: 'deployment', name: 'web' };

function fakePods() {
  const logs = new Emitter<LogBatch>();
  const ends = new Emitter<LogStreamEnd>();
  const acknowledged: number[] = [];
  const stopped: string[] = [];
  let started = 0;
  /** Runs before startLogs answers: a batch can beat the answer. */
  let beforeAnswer: (streamId: string) => void = () => undefined;
  let retryAnswer: () => Promise<LogStreamInfo> = () => Promise.reject(new AppError('NOT_FOUND', 'unused'));
  const { store } = storeOver((services) => ({
    pods: {
      ...services.pods,
      startLogs: (logSource, options) => {
        const streamId = `s${++started}`;
        beforeAnswer(streamId);
        return Promise.resolve({
          streamId,
          source: logSource,
          options,
          sources: [{ pod: 'web-a', container: 'app', colour: 0 }],
          state: 'streaming',
        });
      },
      retryLogs: () => retryAnswer(),
      stopLogs: (streamId) => {
        stopped.push(streamId);
        return Promise.resolve();
      },
      acknowledgeLogs: (_streamId, count) => {
        acknowledged.push(count);
        return Promise.resolve();
      },
      onDidLogs: logs.event,
      onDidEndLogs: ends.event,
    },
  }));
  return {
    store,
    logs,
    ends,
    acknowledged,
    stopped,
    setBeforeAnswer: (hook: (streamId: string) => void) => (beforeAnswer = hook),
    setRetry: (answer: () => Promise<LogStreamInfo>) => (retryAnswer = answer),
  };
}

const batch = (streamId: string, seq: number, texts: string[], pod = 'web-a'): LogBatch => ({
  streamId,
  seq,
  lines: texts.map((text) => ({ pod, container: 'app', text })),
});

describe('logs slice', () => {
  it('keeps batches that beat the answer of startLogs, drops duplicates, and acknowledges what it appended', async () => {
    const fake = fakePods();
    const { store } = fake;
    fake.setBeforeAnswer((streamId) => fake.logs.fire(batch(streamId, 1, ['early'])));
    await store.getState().openLogs(source);
    expect(store.getState().view).toBe('pods');
    expect(store.getState().logView).toMatchObject({ streamId: 's1', phase: 'streaming', options: { follow: true, tailLines: 1_000 } });
    fake.logs.fire(batch('s1', 2, ['one', 'two']));
    fake.logs.fire(batch('s1', 2, ['one', 'two']));
    fake.logs.fire(batch('other', 3, ['not ours']));
    const session = store.getState().logSession()!;
    expect(session.buffer.slice(0, 10).map((entry) => entry.text)).toEqual(['early', 'one', 'two']);
    await vi.waitFor(() => expect(fake.acknowledged).toEqual([1, 2]));
  });

  it('adds pods that join a Deployment stream to the legend', async () => {
    const fake = fakePods();
    const { store } = fake;
    await store.getState().openLogs(source);
    fake.logs.fire({ ...batch('s1', 1, ['hello'], 'web-b'), sources: [{ pod: 'web-b', container: 'app', colour: 1 }] });
    expect(store.getState().logView!.sources.map((s) => s.pod)).toEqual(['web-a', 'web-b']);
    expect(store.getState().logSession()!.buffer.at(0)!.colour).toBe(1);
  });

  it('shows the end with its message, and Retry goes on with the same stream and lines', async () => {
    const fake = fakePods();
    const { store } = fake;
    await store.getState().openLogs(source);
    fake.logs.fire(batch('s1', 1, ['before']));
    const error = new AppError(
      'UNREACHABLE',
      'Lost the connection to the API server ... Retry reconnects and continues after the last line.',
    );
    fake.ends.fire({ streamId: 's1', error: error.toJSON() });
    expect(store.getState().logView).toMatchObject({ phase: 'ended', error: { code: 'UNREACHABLE' } });
    fake.setRetry(() =>
      Promise.resolve({ streamId: 's1', source, options: { follow: true }, sources: [], state: 'streaming' } satisfies LogStreamInfo),
    );
    await store.getState().retryLogs();
    expect(store.getState().logView).toMatchObject({ streamId: 's1', phase: 'streaming' });
    expect(store.getState().logView!.error).toBeUndefined();
    fake.logs.fire(batch('s1', 2, ['after']));
    expect(
      store
        .getState()
        .logSession()!
        .buffer.slice(0, 5)
        .map((entry) => entry.text),
    ).toEqual(['before', 'after']);
  });

  it('opens the logs anew only when the main process forgot the stream (by its streamId, never by the words)', async () => {
    const fake = fakePods();
    const { store } = fake;
    await store.getState().openLogs(source);
    fake.ends.fire({ streamId: 's1', error: new AppError('UNREACHABLE', 'Lost the connection').toJSON() });
    fake.setRetry(() => Promise.reject(new AppError('NOT_FOUND', 'That log stream was stopped; open the logs again.', { streamId: 's1' })));
    await store.getState().retryLogs();
    expect(store.getState().logView).toMatchObject({ streamId: 's2', phase: 'streaming' });

    fake.ends.fire({ streamId: 's2', error: new AppError('UNREACHABLE', 'Lost the connection').toJSON() });
    const gone = new AppError('NOT_FOUND', 'Deployment shop/web does not exist (stopped and deleted).', { kind: 'Deployment' });
    fake.setRetry(() => Promise.reject(gone));
    await store.getState().retryLogs();
    expect(store.getState().logView).toMatchObject({ streamId: 's2', phase: 'ended', error: { code: 'NOT_FOUND', message: gone.message } });
  });

  it('restarts the stream for the previous container (not following) and stops the old one', async () => {
    const fake = fakePods();
    const { store } = fake;
    await store.getState().openLogs(source);
    await store.getState().setLogOptions({ previous: true });
    expect(fake.stopped).toEqual(['s1']);
    expect(store.getState().logView).toMatchObject({ streamId: 's2', options: { previous: true, follow: false } });
    await store.getState().closeLogs();
    expect(fake.stopped).toEqual(['s1', 's2']);
    expect(store.getState().logView).toBeUndefined();
  });
});
