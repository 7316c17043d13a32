import { describe, expect, it } from 'vitest';
import type { KindWatchStatus, TopologyStatus } from '../../../shared/contract';
import { describeState, describeTroubled } from './watch-words';

const kind = (name: KindWatchStatus['kind'], message?: string): KindWatchStatus => ({
  kind: name,
  apiVersion: 'v1',
  state: 'retrying',
  ...(message ? { error: { code: 'UNREACHABLE', message } } : {}),
});

const status = (
  state: TopologyStatus['state'],
  listing: KindWatchStatus['kind'][],
  watching: KindWatchStatus['kind'][],
): TopologyStatus => ({
  context: 'lab1',
  state,
  kinds: [
    ...watching.map((name) => ({ kind: name, apiVersion: 'v1', state: 'watching' as const })),
    ...listing.map((name) => ({ kind: name, apiVersion: 'v1', state: 'listing' as const })),
  ],
});

describe('describeState', () => {
  it('names the kinds still being listed while the watch starts', () => {
    expect(describeState(status('starting', ['Pod'], ['Node', 'Deployment', 'Service']))).toBe('Listing pods…');
    expect(describeState(status('starting', ['Pod', 'EndpointSlice'], ['Node', 'Service']))).toBe('Listing pods and endpoint slices…');
    expect(describeState(status('starting', ['Pod', 'ReplicaSet', 'HTTPRoute'], ['Node', 'Service']))).toBe(
      'Listing pods, replica sets and HTTP routes…',
    );
  });

  it('says how many objects a long list has read so far', () => {
    const started = status('starting', ['Pod', 'EndpointSlice'], ['Node']);
    started.kinds[1] = { ...started.kinds[1]!, listed: 34_000 };
    expect(describeState(started)).toBe('Listing pods (34,000 so far) and endpoint slices…');
  });

  it('says it reads the cluster when every kind, or more than three, are still being listed', () => {
    expect(describeState(status('starting', ['Pod', 'Node'], []))).toBe('Reading the cluster…');
    expect(describeState(status('starting', ['Pod', 'Node', 'Service', 'Job'], ['Deployment']))).toBe('Reading the cluster…');
    expect(describeState(status('starting', [], []))).toBe('Reading the cluster…');
  });

  it('says Live, Reconnecting or Stopped once started, whatever is being listed again', () => {
    expect(describeState(status('ready', [], ['Pod', 'Node']))).toBe('Live');
    expect(describeState(status('degraded', ['Pod'], ['Node']))).toBe('Reconnecting');
    expect(describeState(status('stopped', [], ['Pod']))).toBe('Stopped');
  });

  it('says the map is loading while a listed cluster is not drawn yet', () => {
    expect(describeState(status('ready', [], ['Pod', 'Node']), false)).toBe('Loading the map…');
    expect(describeState(status('starting', ['Pod'], ['Node', 'Service']), false)).toBe('Listing pods…');
    expect(describeState(status('degraded', ['Pod'], ['Node']), false)).toBe('Reconnecting');
  });
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
