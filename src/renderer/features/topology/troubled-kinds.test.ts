import { describe, expect, it } from 'vitest';
import type { KindWatchStatus } from '../../../shared/contract';
import { describeTroubled } from './troubled-kinds';

const kind = (name: KindWatchStatus['kind'], message?: string): KindWatchStatus => ({
  kind: name,
  apiVersion: 'v1',
  state: 'retrying',
  ...(message ? { error: { code: 'UNREACHABLE', message } } : {}),
});

describe('describeTroubled', () => {
  it('names the kinds that share an error once, in the order they came', () => {
    expect(describeTroubled([kind('Pod', 'connection refused'), kind('Node', 'timed out'), kind('Service', 'connection refused')])).toBe(
      'Pod, Service: connection refused; Node: timed out',
    );
  });

  it('falls back to the state when a kind has no error', () => {
    expect(describeTroubled([kind('Pod')])).toBe('Pod: retrying');
  });
});
