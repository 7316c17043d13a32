import { describe, expect, it } from 'vitest';
import { computeStatus, openUrlFor, podReason } from './app-status';

describe('podReason', () => {
  it('prefers a waiting container reason, then the scheduling condition', () => {
    expect(
      podReason({
        status: {
          phase: 'Pending',
          containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } } }],
        },
      }),
    ).toBe('ImagePullBackOff: Back-off pulling image "x"');
    expect(
      podReason({
        status: {
          phase: 'Pending',
          conditions: [
            { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' },
          ],
        },
      }),
    ).toBe('Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.');
    expect(podReason({ status: { phase: 'Pending' } })).toBe('Pending');
    expect(podReason({ status: { phase: 'Running' } })).toBeUndefined();
  });
});

describe('openUrlFor', () => {
  it('builds http(s) URLs only, without default ports, with IPv6 in brackets', () => {
    expect(openUrlFor('http', '192.0.2.7', 80, '/')).toBe('http://192.0.2.7/');
    expect(openUrlFor('https', '192.0.2.7', 8443, '/app')).toBe('https://192.0.2.7:8443/app');
    expect(openUrlFor('http', '2001:db8::1', 80, '/')).toBe('http://[2001:db8::1]/');
    expect(openUrlFor('javascript', '192.0.2.7', 80, '/')).toBeUndefined();
  });
});

describe('computeStatus', () => {
  it('counts desired and ready per Deployment and gives the reason only while not ready', () => {
    const record = { context: 'lab', namespace: 'ns', instance: 'web', appId: 'nginx', objects: [] };
    const status = computeStatus(
      record,
      undefined,
      [
        {
          metadata: { name: 'web' },
          spec: { replicas: 3, selector: { matchLabels: { app: 'web' } } },
          status: { readyReplicas: 1, updatedReplicas: 3 },
        },
      ],
      [
        { metadata: { labels: { app: 'web' } }, status: { phase: 'Running' } },
        {
          metadata: { labels: { app: 'web' } },
          status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
        },
        { metadata: { labels: { app: 'web' }, deletionTimestamp: 'x' }, status: { phase: 'Running' } },
        { metadata: { labels: { app: 'other' } }, status: { phase: 'Pending' } },
      ],
      [{ metadata: { name: 'web' }, spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] } }],
    );
    expect(status.deployments).toEqual([
      { name: 'web', desired: 3, ready: 1, updated: 3, reason: 'Unschedulable', runningPods: 1, pendingPods: 1 },
    ]);
    expect(status.services).toEqual([{ name: 'web', type: 'NodePort', nodePorts: [30080], ports: [80] }]);
    expect(status.ready).toBe(false);
    expect(status.replicaRanges).toEqual({ web: { min: 0, max: 10 } });
  });
});
