import { describe, expect, it } from 'vitest';
import { FlowControl } from './flow-control';

function control() {
  const calls: string[] = [];
  const flow = new FlowControl({
    highWatermark: 100,
    lowWatermark: 10,
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
  });
  return { flow, calls };
}

describe('FlowControl', () => {
  it('pauses once above the high watermark and resumes once at the low one', () => {
    const { flow, calls } = control();
    flow.sent(60);
    flow.sent(40);
    expect(calls).toEqual([]);
    flow.sent(1);
    flow.sent(50);
    expect(calls).toEqual(['pause']);
    expect(flow.paused).toBe(true);
    flow.acknowledge(100);
    expect(calls).toEqual(['pause']);
    flow.acknowledge(41);
    expect(calls).toEqual(['pause', 'resume']);
    expect(flow.pending).toBe(10);
  });

  it('clamps acknowledgements beyond what was sent', () => {
    const { flow, calls } = control();
    flow.sent(5);
    flow.acknowledge(500);
    expect(flow.pending).toBe(0);
    flow.sent(101);
    expect(calls).toEqual(['pause']);
  });

  it('resets to what a reconnecting client has not acknowledged, resuming or pausing to match', () => {
    const { flow, calls } = control();
    // Output sent while the client was away never arrives, so it is never acknowledged.
    flow.sent(150);
    expect(calls).toEqual(['pause']);
    flow.reset(50);
    expect(flow.pending).toBe(50);
    expect(calls).toEqual(['pause']);
    flow.reset(10);
    expect(calls).toEqual(['pause', 'resume']);
    flow.reset(101);
    expect(calls).toEqual(['pause', 'resume', 'pause']);
    expect(flow.paused).toBe(true);
  });

  it('refuses watermarks in the wrong order', () => {
    expect(() => new FlowControl({ highWatermark: 10, lowWatermark: 10, pause: () => undefined, resume: () => undefined })).toThrow();
  });
});
