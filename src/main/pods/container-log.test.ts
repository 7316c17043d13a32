import { describe, expect, it } from 'vitest';
import { ContainerLog } from './container-log';

const info = { pod: 'web-0', container: 'main', colour: 0 };
const options = { follow: true, tailLines: 100 };

describe('ContainerLog', () => {
  it('reads the tail first, then resumes after the last timestamp and skips the lines seen at it', () => {
    const log = new ContainerLog(info, false);
    expect(log.path('shop', options, undefined)).toBe(
      '/api/v1/namespaces/shop/pods/web-0/log?container=main&timestamps=true&follow=true&tailLines=100',
    );
    expect(log.line('2026-12-02T19:00:00.000000001Z one')).toMatchObject({ text: 'one', timestamp: '2026-12-02T19:00:00.000000001Z' });
    expect(log.line('2026-12-02T19:00:01.000000000Z two')).toMatchObject({ text: 'two' });
    expect(log.path('shop', options, undefined)).toContain('sinceTime=2026-12-02T19%3A00%3A01.000000000Z');
    // The resumed read gives the last second again: what was shown is skipped, what is new is kept.
    expect(log.line('2026-12-02T19:00:00.000000001Z one')).toBeUndefined();
    expect(log.line('2026-12-02T19:00:01.000000000Z two')).toBeUndefined();
    expect(log.line('2026-12-02T19:00:01.000000000Z two and a half')).toMatchObject({ text: 'two and a half' });
  });

  it('reads a pod that joined from its first line, and says notices as its own', () => {
    const log = new ContainerLog(info, true);
    expect(log.path('shop', { follow: true, tailLines: 10, sinceSeconds: 60 }, undefined)).not.toMatch(/tailLines|sinceSeconds/);
    expect(log.notice('Pod web-0 is gone; its log ends here.')).toEqual({
      pod: 'web-0',
      container: 'main',
      text: 'Pod web-0 is gone; its log ends here.',
      notice: true,
    });
  });

  it('continues from when the stream ended when its lines had no timestamps', () => {
    const log = new ContainerLog(info, false);
    log.line('no timestamp here');
    expect(log.path('shop', { follow: false, previous: true }, '2026-12-02T19:05:00.000Z')).toBe(
      '/api/v1/namespaces/shop/pods/web-0/log?container=main&timestamps=true&previous=true&sinceTime=2026-12-02T19%3A05%3A00.000Z',
    );
  });
});
