import { describe, expect, it } from 'vitest';
import { LabLogBuffer } from './lab-log-buffer';

describe('LabLogBuffer', () => {
  it('keeps the last 5,000 lines per lab, filters by step or machine, and hands out unsent lines once', () => {
    const buffer = new LabLogBuffer();
    for (let index = 0; index < 5_010; index += 1) {
      buffer.append('lab-a', {
        stepId: index % 2 === 0 ? 'vms' : 'cni',
        stream: 'stdout',
        text: `line ${index}`,
        ...(index === 5_009 ? { vm: 'cp-1' } : {}),
      });
    }
    buffer.append('lab-b', { stepId: 'vms', stream: 'info', text: 'other lab' });
    expect(buffer.query('lab-a', { limit: 10_000 })).toHaveLength(5_000);
    expect(buffer.query('lab-a', { limit: 10_000 })[0]?.text).toBe('line 10');
    expect(buffer.query('lab-a', {})).toHaveLength(500);
    expect(buffer.query('lab-a', { stepId: 'cni', limit: 2 }).map((line) => line.text)).toEqual(['line 5007', 'line 5009']);
    expect(buffer.query('lab-a', { vm: 'cp-1' }).map((line) => line.text)).toEqual(['line 5009']);
    expect(buffer.takePending('lab-b')).toEqual([expect.objectContaining({ lab: 'lab-b', text: 'other lab', at: expect.any(String) })]);
    expect(buffer.takePending('lab-b')).toBeUndefined();
    expect(buffer.takePending('lab-a')).toHaveLength(5_010);
    buffer.forget('lab-a');
    expect(buffer.query('lab-a', {})).toEqual([]);
  });
});
