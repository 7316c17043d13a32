import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { HealthMonitor, type HealthyResult } from './health-monitor';

const healthy: HealthyResult = {
  ok: true,
  version: 'v1.20.2',
  platform: 'linux/amd64',
  nodes: { total: 1, ready: 1, linux: 1, windows: 0, other: 0 },
  identity: { user: 'admin', canListNodes: true },
};

function monitor(test: (context: string) => Promise<HealthyResult>) {
  const refused: string[] = [];
  let changes = 0;
  const health = new HealthMonitor({
    contexts: () => Promise.resolve(['lab', 'gone']),
    test,
    changed: () => {
      changes += 1;
      return Promise.resolve();
    },
    refused: (context) => refused.push(context),
    intervalMs: 0,
    now: () => new Date('2026-12-02T19:00:00Z'),
  });
  return { health, refused, changes: () => changes };
}

describe('HealthMonitor', () => {
  it('runs one check per context at a time, keeps its result, and says so before and after', async () => {
    let calls = 0;
    const { health, changes } = monitor(() => {
      calls += 1;
      return Promise.resolve(healthy);
    });
    expect(health.of('lab')).toEqual({ checking: false });
    const [first, second] = await Promise.all([health.check('lab'), health.check('lab')]);
    expect(first).toBe(second);
    expect(calls).toBe(1);
    expect(first).toMatchObject({ ok: true, checkedAt: '2026-12-02T19:00:00.000Z', durationMs: 0 });
    expect(health.of('lab')).toEqual({ checking: false, result: first });
    expect(health.checked('lab')).toBe(true);
    expect(changes()).toBe(2);
    health.forget('lab');
    expect(health.checked('lab')).toBe(false);
  });

  it('keeps a failure as the result, drops refused credentials, and forgets a context that is gone', async () => {
    const { health, refused } = monitor((context) =>
      Promise.reject(
        context === 'gone'
          ? new AppError('NOT_FOUND', 'There is no context "gone".', { context })
          : new AppError('UNAUTHORIZED', 'The server refused the credentials.'),
      ),
    );
    await health.checkAll();
    expect(health.of('lab').result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(refused).toEqual(['lab']);
    expect(health.of('gone')).toEqual({ checking: false });
    await expect(health.check('gone')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
