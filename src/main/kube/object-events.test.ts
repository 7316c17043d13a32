import { describe, expect, it } from 'vitest';
import { toObjectEvents } from './object-events';

describe('toObjectEvents', () => {
  it('orders newest first by the last time seen, counts series, and names the reporting component', () => {
    const events = toObjectEvents([
      {
        type: 'Normal',
        reason: 'Scheduled',
        message: 'assigned',
        lastTimestamp: '2024-01-01T00:00:01Z',
        source: { component: 'default-scheduler' },
      },
      {
        type: 'Warning',
        reason: 'BackOff',
        message: ' restarting ',
        count: 7,
        lastTimestamp: '2024-01-01T00:05:00Z',
        source: { component: 'kubelet', host: 'node-1' },
      },
      {
        type: 'Normal',
        reason: 'Pulled',
        eventTime: '2024-01-01T00:02:00.000001Z',
        series: { count: 3, lastObservedTime: '2024-01-01T00:03:00Z' },
        reportingComponent: 'kubelet',
      },
    ]);
    expect(events.map((event) => event.reason)).toEqual(['BackOff', 'Pulled', 'Scheduled']);
    expect(events[0]).toMatchObject({ type: 'Warning', message: 'restarting', count: 7, source: 'kubelet, node-1' });
    expect(events[1]).toMatchObject({ count: 3, lastSeen: '2024-01-01T00:03:00Z', source: 'kubelet' });
  });

  it('keeps the newest `max` (the map shows 20)', () => {
    const many = Array.from({ length: 30 }, (_, index) => ({
      reason: `R${index}`,
      lastTimestamp: `2024-01-01T00:00:${String(index).padStart(2, '0')}Z`,
    }));
    const events = toObjectEvents(many, 20);
    expect(events).toHaveLength(20);
    expect(events[0]?.reason).toBe('R29');
    expect(toObjectEvents(many)).toHaveLength(30);
  });
});
