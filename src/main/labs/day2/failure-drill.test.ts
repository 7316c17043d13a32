import { describe, expect, it } from 'vitest';
import type { DrillEvent } from '../../../shared/contract/labs';
import { drillRecord, drillWaitingFor, observeDrill } from './failure-drill';
import type { DrillNodeView, DrillPodView } from './failure-drill';

const worker = 'lab1-linux1';
const rs = { uid: 'rs-1', kind: 'ReplicaSet', name: 'web-5d9c7', controller: true };
const ds = { uid: 'ds-1', kind: 'DaemonSet', name: 'agent', controller: true };
const pod = (
  name: string,
  node: string,
  owner?: typeof rs,
  patch: Partial<DrillPodView['metadata']> = {},
  phase = 'Running',
): DrillPodView => ({
  metadata: { namespace: 'default', name, uid: `uid-${name}`, ...(owner === undefined ? {} : { ownerReferences: [owner] }), ...patch },
  spec: { nodeName: node },
  status: { phase },
});
const node = (ready: string, taints: { key: string; effect: string }[] = []): DrillNodeView => ({
  spec: { taints },
  status: { conditions: [{ type: 'Ready', status: ready, reason: ready === 'Unknown' ? 'NodeStatusUnknown' : 'KubeletReady' }] },
});
const offAt = new Date('2026-12-02T10:00:00.000Z');
const at = (seconds: number) => new Date(offAt.getTime() + seconds * 1000);

describe('the failure drill', () => {
  const before = [pod('web-a', worker, rs), pod('web-b', 'lab1-linux2', rs), pod('agent-x', worker, ds), pod('bare', worker)];
  const record = drillRecord(worker, before, offAt);

  it('remembers the pods a failure moves (not DaemonSet pods) and every pod of their controllers then', () => {
    expect(record.pods).toEqual([
      { key: 'default/web-a', owner: { uid: 'rs-1', kind: 'ReplicaSet', name: 'web-5d9c7' } },
      { key: 'default/bare' },
    ]);
    expect(record.before).toEqual(['uid-web-a', 'uid-web-b']);
  });

  it('turns looks into a timeline with measured times: NotReady, the NoExecute taint, evictions, replacements elsewhere', () => {
    const timeline: DrillEvent[] = [];
    const look = (seconds: number, view: DrillNodeView, pods: DrillPodView[]) => {
      const events = observeDrill(record, timeline, worker, view, pods, at(seconds));
      timeline.push(...events);
      return events.map((event) => [event.kind, event.atMs, event.text]);
    };
    expect(look(5, node('True'), before)).toEqual([]);
    expect(look(17, node('Unknown', [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]), before)).toEqual([
      ['node-not-ready', 17_000, `Node ${worker} is NotReady (Ready: Unknown, NodeStatusUnknown).`],
    ]);
    const tainted = node('Unknown', [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    ]);
    expect(look(18, tainted, before)).toEqual([['taint', 18_000, `Node ${worker} is tainted node.kubernetes.io/unreachable:NoExecute.`]]);
    // The taint manager marks web-a for deletion; the ReplicaSet's new pod is Pending, then runs on lab1-linux2.
    const evicting = [
      pod('web-a', worker, rs, { deletionTimestamp: at(48).toISOString() }),
      pod('web-b', 'lab1-linux2', rs),
      pod('bare', worker),
    ];
    expect(look(48, tainted, [...evicting, pod('web-c', 'lab1-linux2', rs, {}, 'Pending')])).toEqual([
      ['eviction', 48_000, `default/web-a left ${worker} (marked for deletion).`],
    ]);
    // web-b ran there before the failure: it is no replacement.
    expect(drillWaitingFor(record, timeline)).toEqual(['a replacement of default/web-a to run', 'default/bare to be evicted']);
    expect(look(51, tainted, [...evicting, pod('web-c', 'lab1-linux2', rs)])).toEqual([
      ['rescheduled', 51_000, 'ReplicaSet web-5d9c7: default/web-c runs on lab1-linux2 in place of default/web-a.'],
    ]);
    expect(timeline.at(-1)).toMatchObject({ pod: 'default/web-a', replacement: 'default/web-c' });
    expect(look(60, tainted, [pod('web-b', 'lab1-linux2', rs), pod('web-c', 'lab1-linux2', rs)])).toEqual([
      ['eviction', 60_000, `default/bare left ${worker} (deleted).`],
    ]);
    expect(drillWaitingFor(record, timeline)).toEqual([]);
    // Seen once: a later look adds nothing.
    expect(look(61, tainted, [pod('web-b', 'lab1-linux2', rs), pod('web-c', 'lab1-linux2', rs)])).toEqual([]);
  });

  it('waits for the node first, and a replacement is never counted twice', () => {
    const two = drillRecord(worker, [pod('web-a', worker, rs), pod('web-d', worker, rs)], offAt);
    expect(drillWaitingFor(two, [])[0]).toBe('the node to turn NotReady');
    const events = observeDrill(two, [], worker, node('Unknown'), [pod('web-c', 'lab1-linux2', rs)], at(30));
    expect(events.filter((event) => event.kind === 'rescheduled')).toHaveLength(1);
  });
});
