import { describe, expect, it } from 'vitest';
import type { TopologyObject } from '../../../shared/contract';
import { buildGraph } from './group';
import { deployment, endpointSlice, node, pod, podsOf, service } from './fixtures.test-support';

describe('buildGraph', () => {
  it('draws nodes with OS and role, the physical layer from annotations, and readiness in words', () => {
    const graph = buildGraph([
      node('cp', { role: 'control-plane', host: 'lab-1', vm: 'lab-1-cp' }),
      node('win', { os: 'windows', ready: 'Unknown' }),
    ]);
    expect(graph.nodes.map((entry) => entry.id)).toEqual(['node:cp', 'host:lab-1', 'vm:lab-1-cp', 'node:win']);
    expect(graph.nodes.find((entry) => entry.id === 'node:win')).toMatchObject({
      os: 'windows',
      status: { tone: 'error', text: 'NotReady (no heartbeat)' },
    });
    expect(graph.edges.map((edge) => edge.id)).toEqual(['hosts:host:lab-1->vm:lab-1-cp', 'hosts:vm:lab-1-cp->node:cp']);
  });

  it('groups pods by Deployment through the ReplicaSet and collapses a big group into a count', () => {
    const objects: TopologyObject[] = [node('a'), node('b'), ...deployment('web', 300), ...podsOf('web', 300, ['a', 'b'])];
    const graph = buildGraph(objects);
    const group = graph.nodes.find((entry) => entry.id === 'group:d-web')!;
    expect(group).toMatchObject({
      kind: 'Deployment',
      pods: { total: 300, ready: 300, failing: 0, shown: 0 },
      expanded: false,
      status: { text: '300/300 ready' },
    });
    expect(graph.nodes.filter((entry) => entry.type === 'pod')).toHaveLength(0);
    expect(
      graph.edges
        .filter((edge) => edge.kind === 'runs')
        .map((edge) => edge.source)
        .sort(),
    ).toEqual(['node:a', 'node:b']);
  });

  it('shows the pods of a small group and of a group the user expanded', () => {
    const objects: TopologyObject[] = [
      node('a'),
      ...deployment('web', 3),
      ...podsOf('web', 3, ['a']),
      ...deployment('big', 20),
      ...podsOf('big', 20, ['a']),
    ];
    const graph = buildGraph(objects, { toggled: new Set(['group:d-big']), maxExpandedPods: 10 });
    expect(graph.nodes.filter((entry) => entry.parent === 'group:d-web')).toHaveLength(3);
    expect(graph.nodes.find((entry) => entry.id === 'group:d-big')).toMatchObject({ expanded: true, pods: { total: 20, shown: 10 } });
  });

  it('links Service <- EndpointSlice <- the group of its pods, and Ingress / HTTPRoute / Gateway', () => {
    const objects: TopologyObject[] = [
      node('a'),
      ...deployment('web', 1),
      pod('web-0', 'web', 'a'),
      service('web'),
      endpointSlice('web', ['p-web-0']),
      { kind: 'Ingress', uid: 'i', name: 'web', namespace: 'default', hosts: ['web.test'], services: ['web'] },
      { kind: 'Gateway', uid: 'g', name: 'gw', namespace: 'default' },
      { kind: 'HTTPRoute', uid: 'r', name: 'route', namespace: 'default', gateways: ['default/gw'], services: ['default/web'] },
    ];
    const ids = buildGraph(objects).edges.map((edge) => edge.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'endpoints:slice:es-web->svc:default/web',
        'endpoints:group:d-web->slice:es-web',
        'serves:svc:default/web->ing:i',
        'routes:svc:default/web->route:r',
        'routes:route:r->gw:default/gw',
      ]),
    );
  });

  it('says a failing pod in words', () => {
    const graph = buildGraph([
      node('a'),
      ...deployment('web', 2),
      pod('web-0', 'web', 'a'),
      pod('web-1', 'web', 'a', { ready: false, reason: 'CrashLoopBackOff' }),
    ]);
    expect(graph.nodes.find((entry) => entry.id === 'group:d-web')?.status).toEqual({ tone: 'error', text: '1/2 ready, 1 failing' });
    expect(graph.nodes.find((entry) => entry.id === 'pod:p-web-1')?.status).toEqual({ tone: 'error', text: 'CrashLoopBackOff' });
  });
});
