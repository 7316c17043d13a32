/**
 * The failure drill: a worker's VM is turned off without draining, as a power failure would, and
 * the cluster's reaction is measured from that moment: the node turning NotReady (the node
 * lifecycle controller's grace period), its NoExecute taint, each pod's eviction (when its
 * toleration of the taint runs out, 300 s unless the pod says otherwise) and its replacement
 * running on another node. observeDrill is pure: it turns one look at the node and the pods into
 * the events not seen before.
 */
import type { DrillEvent, LabMachine } from '../../../shared/contract/labs';
import { done } from '../step-context';
import type { StepContext, StepOutcome } from '../step-context';
import { step } from '../step-planner';
import type { StepDefinition } from '../step-planner';
import type { KubeCall } from './drain';
import type { MachineOperationContext } from './machine-operations';

/** A pod that ran on the node when its VM was turned off. */
export interface DrillPod {
  /** namespace/name */
  key: string;
  /** Its controller, when it has one (a ReplicaSet, a StatefulSet, ...). */
  owner?: { uid: string; kind: string; name: string };
}

/** What the drill keeps (persisted with the operation, so a resumed drill measures from the same moment). */
export interface DrillRecord {
  /** ISO time the VM was turned off. */
  offAt: string;
  /** The node's pods then (DaemonSet and static pods left out: they are not moved). */
  pods: DrillPod[];
  /** uids of every pod of those pods' controllers then, on any node: a replacement is a pod not among them. */
  before: string[];
}

interface OwnerReference {
  uid: string;
  kind: string;
  name: string;
  controller?: boolean;
}

export interface DrillPodView {
  metadata: { namespace?: string; name: string; uid: string; deletionTimestamp?: string; ownerReferences?: OwnerReference[] };
  spec?: { nodeName?: string };
  status?: { phase?: string };
}

export interface DrillNodeView {
  spec?: { taints?: { key: string; effect: string }[] };
  status?: { conditions?: { type: string; status: string; reason?: string }[] };
}

const keyOf = (pod: DrillPodView) => `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
const controllerOf = (pod: DrillPodView) =>
  pod.metadata.ownerReferences?.find((owner) => owner.controller === true) ?? pod.metadata.ownerReferences?.[0];

/** The taints the node lifecycle controller puts on a node it lost (NoExecute: they evict). */
const FAILURE_TAINTS = new Set(['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready']);

/** The pods of `node` that a failure moves, and every pod of their controllers (the "before" set). */
export function drillRecord(node: string, pods: readonly DrillPodView[], offAt: Date): DrillRecord {
  const moved = pods.filter((pod) => {
    if (pod.spec?.nodeName !== node || pod.metadata.deletionTimestamp !== undefined) return false;
    const kind = controllerOf(pod)?.kind;
    // DaemonSet pods tolerate the failure taints; static (mirror) pods belong to the node itself.
    return kind !== 'DaemonSet' && kind !== 'Node';
  });
  const owners = new Set(moved.flatMap((pod) => controllerOf(pod)?.uid ?? []));
  return {
    offAt: offAt.toISOString(),
    pods: moved.map((pod) => {
      const owner = controllerOf(pod);
      return { key: keyOf(pod), ...(owner === undefined ? {} : { owner: { uid: owner.uid, kind: owner.kind, name: owner.name } }) };
    }),
    before: pods.filter((pod) => owners.has(controllerOf(pod)?.uid ?? '')).map((pod) => pod.metadata.uid),
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The events one look shows that `timeline` does not have yet. */
export function observeDrill(
  record: DrillRecord,
  timeline: readonly DrillEvent[],
  machine: string,
  node: DrillNodeView | undefined,
  pods: readonly DrillPodView[],
  now: Date,
): DrillEvent[] {
  const atMs = Math.max(0, now.getTime() - Date.parse(record.offAt));
  const at = now.toISOString();
  const events: DrillEvent[] = [];
  const has = (kind: DrillEvent['kind'], pod?: string, text?: string) =>
    [...timeline, ...events].some((event) => event.kind === kind && event.pod === pod && (text === undefined || event.text === text));
  const add = (kind: DrillEvent['kind'], text: string, pod?: string, replacement?: string) => {
    events.push({ kind, atMs, at, text, ...(pod === undefined ? {} : { pod }), ...(replacement === undefined ? {} : { replacement }) });
  };
  const ready = node?.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (node !== undefined && ready?.status !== 'True' && !has('node-not-ready')) {
    add('node-not-ready', `Node ${machine} is NotReady (Ready: ${ready?.status ?? 'missing'}${ready?.reason ? `, ${ready.reason}` : ''}).`);
  }
  for (const taint of node?.spec?.taints ?? []) {
    const text = `Node ${machine} is tainted ${taint.key}:${taint.effect}.`;
    if (FAILURE_TAINTS.has(taint.key) && taint.effect === 'NoExecute' && !has('taint', undefined, text)) add('taint', text);
  }
  const byKey = new Map(pods.map((pod) => [keyOf(pod), pod]));
  const before = new Set(record.before);
  const taken = new Set(timeline.flatMap((event) => event.replacement ?? []));
  for (const original of record.pods) {
    const current = byKey.get(original.key);
    const evicted = current === undefined || current.metadata.deletionTimestamp !== undefined || current.spec?.nodeName !== machine;
    if (evicted && !has('eviction', original.key)) {
      add('eviction', `${original.key} left ${machine} (${current === undefined ? 'deleted' : 'marked for deletion'}).`, original.key);
    }
    if (original.owner === undefined || has('rescheduled', original.key)) continue;
    const replacement = pods.find(
      (pod) =>
        controllerOf(pod)?.uid === original.owner?.uid &&
        !before.has(pod.metadata.uid) &&
        !taken.has(keyOf(pod)) &&
        pod.spec?.nodeName !== undefined &&
        pod.spec.nodeName !== machine &&
        pod.status?.phase === 'Running' &&
        pod.metadata.deletionTimestamp === undefined,
    );
    if (replacement === undefined) continue;
    taken.add(keyOf(replacement));
    add(
      'rescheduled',
      `${original.owner.kind} ${original.owner.name}: ${keyOf(replacement)} runs on ${replacement.spec?.nodeName ?? ''} in place of ${original.key}.`,
      original.key,
      keyOf(replacement),
    );
  }
  return events;
}

/** What the drill still waits for: the NotReady node, then each pod's eviction and (with a controller) its replacement. */
export function drillWaitingFor(record: DrillRecord, timeline: readonly DrillEvent[]): string[] {
  const seen = (kind: DrillEvent['kind'], pod?: string) => timeline.some((event) => event.kind === kind && event.pod === pod);
  const waiting: string[] = [];
  if (!seen('node-not-ready')) waiting.push('the node to turn NotReady');
  for (const pod of record.pods) {
    if (!seen('eviction', pod.key)) waiting.push(`${pod.key} to be evicted`);
    else if (pod.owner !== undefined && !seen('rescheduled', pod.key)) waiting.push(`a replacement of ${pod.key} to run`);
  }
  return waiting;
}

async function listDrill(kube: KubeCall, machine: string): Promise<{ node?: DrillNodeView; pods: DrillPodView[] }> {
  const pods = (await kube<{ items: DrillPodView[] }>({ path: '/api/v1/pods' })).items;
  try {
    return { node: await kube<DrillNodeView>({ path: `/api/v1/nodes/${encodeURIComponent(machine)}` }), pods };
  } catch {
    return { pods };
  }
}

/** Turn the worker's VM off without draining, then watch (failure-drill operation). */
export function drillSteps(context: MachineOperationContext): StepDefinition[] {
  const { machine, driver, kube, request, timeline } = context;
  const name = machine.name;
  const minutes = request.drillMinutes ?? 10;
  return [
    step(
      'power-off',
      `fail:${name}`,
      `Turn VM ${name} off without draining (the failure)`,
      async (ctx) => {
        if (driver.stopVm === undefined) throw new Error('power actions are checked before the drill starts');
        if (ctx.dry) return driver.stopVm(ctx, machine, 'turn-off');
        const pods = request.drill === undefined ? (await listDrill(kube, name)).pods : [];
        const outcome = await driver.stopVm(ctx, machine, 'turn-off');
        if (request.drill === undefined) {
          request.drill = drillRecord(name, pods, new Date());
          timeline.splice(0, timeline.length, {
            kind: 'vm-off',
            atMs: 0,
            at: request.drill.offAt,
            text: `VM ${name} was turned off without draining; ${request.drill.pods.length} pod(s) ran on it.`,
          });
          ctx.log(timeline[0]?.text ?? '');
        }
        return outcome;
      },
      name,
    ),
    step(
      'drill',
      `drill:${name}`,
      `Watch the cluster react (up to ${minutes} min)`,
      (ctx) => watchDrill(ctx, context, machine, minutes),
      name,
    ),
  ];
}

async function watchDrill(ctx: StepContext, context: MachineOperationContext, machine: LabMachine, minutes: number): Promise<StepOutcome> {
  ctx.local(`Watch node ${machine.name} and its pods every second for up to ${minutes} min`);
  const record = context.request.drill;
  if (ctx.dry || record === undefined) return done();
  const { timeline, kube } = context;
  const limitMs = minutes * 60_000;
  const end = (text: string) => {
    const now = new Date();
    const event: DrillEvent = { kind: 'end', atMs: now.getTime() - Date.parse(record.offAt), at: now.toISOString(), text };
    timeline.push(event);
    ctx.log(`+${seconds(event.atMs)}: ${text}`);
    return text;
  };
  const outcome = await ctx.waitFor(
    'the cluster to react',
    async () => {
      let look: { node?: DrillNodeView; pods: DrillPodView[] };
      try {
        look = await listDrill(kube, machine.name);
      } catch (error) {
        ctx.progress(0.1, `the API server did not answer: ${(error as Error).message}`);
        return undefined;
      }
      for (const event of observeDrill(record, timeline, machine.name, look.node, look.pods, new Date())) {
        timeline.push(event);
        ctx.log(`+${seconds(event.atMs)}: ${event.text}`);
      }
      const waiting = drillWaitingFor(record, timeline);
      const total = 1 + record.pods.length * 2;
      ctx.progress((total - waiting.length) / total, waiting.length === 0 ? 'done' : `waiting for ${waiting[0] ?? ''}`);
      if (waiting.length === 0) return end('Every pod of the node was evicted and, where a controller owns it, runs elsewhere again.');
      if (Date.now() - Date.parse(record.offAt) > limitMs)
        return end(`Stopped watching after ${minutes} min; still waiting for ${waiting.join(', ')}.`);
      return undefined;
    },
    { timeoutMs: limitMs + 120_000, intervalMs: 1_000, placeholder: '' },
  );
  return done(outcome);
}
