/**
 * The shape of a scale fixture (tests/harness/pod-fill.ts): how many pods on how many nodes, in
 * which Deployments, Services and Ingresses, which pods fail and which nodes go NotReady. Plain
 * data, decided up front and deterministic, so a benchmark at 30,000 pods and one at 60,000 hold
 * the same mix and a test knows where its failing pod is.
 */
import { fakeId } from './simulated-node-objects.js';
import type { SimulatedNodeOs, SimulatedNodeSpec } from './simulated-node-objects.js';
import type { SimulatedFailure } from './simulated-pods.js';

/** What to fill; everything but `pods` has a default in proportion to it. */
export interface PodFillOptions {
  /** Pods in all, failing ones included. */
  pods: number;
  /** Simulated nodes in all (one control plane, the rest workers). Default pods / 100 (30,000 -> 300), at least 4. */
  nodes?: number;
  /** Share of the workers that run Windows, and of the Deployments that go there. Default 0.1. */
  windowsShare?: number;
  /** Average replicas per Deployment (they vary from 0.3x to 1.7x of it). Default 100. */
  podsPerDeployment?: number;
  /** Namespaces the Deployments are spread over. Default pods / 3,000, at least 2. */
  namespaces?: number;
  /** Pods whose container crash-loops. Default pods / 2,000, at least 1. */
  crashLooping?: number;
  /** Pods waiting for an image that cannot be pulled. Default pods / 5,000, at least 1. */
  imagePullBackOff?: number;
  /** Pods no node can take (the scheduler leaves them Pending). Default pods / 5,000, at least 1. */
  unschedulable?: number;
  /** Linux workers whose kubelet stops once their pods run, so they turn NotReady. Default 2 (fewer when only as many Linux workers exist). */
  notReadyNodes?: number;
  /** Services one Ingress routes to. Default 5. */
  servicesPerIngress?: number;
  /** Node name prefix. Default `fill`. */
  nodePrefix?: string;
}

/** Why a planned pod is not Running and Ready. */
export type PlannedFailure = SimulatedFailure | 'Unschedulable';

export interface PlannedPod {
  name: string;
  /** Undefined for an unschedulable pod (the scheduler gets it and finds no node). */
  nodeName?: string;
  failure?: PlannedFailure;
}

/** One Deployment, its ReplicaSet, its Service and its pods. */
export interface PlannedApp {
  namespace: string;
  /** Name of the Deployment, its Service and its `app` label. */
  name: string;
  os: SimulatedNodeOs;
  /** pod-template-hash of its ReplicaSet, which is named `<name>-<hash>`. */
  hash: string;
  pods: PlannedPod[];
}

export interface PlannedIngress {
  namespace: string;
  name: string;
  /** Names of the Services (= apps) it routes to, one host each. */
  services: string[];
}

/** A failing pod and where it lives, for tests that look for it. */
export interface FailingPod {
  namespace: string;
  name: string;
  /** The Deployment it belongs to. */
  deployment: string;
  nodeName?: string;
  failure: PlannedFailure;
}

export interface PodFillPlan {
  nodes: SimulatedNodeSpec[];
  notReadyNodes: string[];
  namespaces: string[];
  apps: PlannedApp[];
  ingresses: PlannedIngress[];
  failing: FailingPod[];
  totals: { pods: number; nodes: number; windowsNodes: number; deployments: number; services: number; ingresses: number };
}

const STEMS = ['web', 'api', 'worker', 'cache', 'auth', 'search', 'cart', 'billing', 'media', 'report'];
/** Deployment sizes relative to the average (mean 1.0): real clusters mix small and large ones. */
const SIZE_PATTERN = [1, 0.6, 1.4, 0.3, 1.7];
/** Characters Kubernetes uses in generated names (rand.SafeEncodeString: no vowels, no look-alikes). */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
/** The label no node has: pods that select it stay Pending, as with a typo in a nodeSelector. */
export const UNSCHEDULABLE_SELECTOR = { 'nestlab.dev/pool': 'reserved' } as const;

/** A name suffix in Kubernetes' alphabet, derived from a seed (stable between runs). */
export function safeSuffix(seed: string, length: number): string {
  const hex = fakeId(seed, length * 2);
  let out = '';
  for (let i = 0; i < length; i += 1) out += SAFE[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % SAFE.length];
  return out;
}

/** Decides the whole fixture. Throws on counts that cannot make a cluster. */
export function planPodFill(options: PodFillOptions): PodFillPlan {
  const pods = Math.floor(options.pods);
  if (!(pods >= 10)) throw new Error(`pod fill: pods must be at least 10 (got ${options.pods})`);
  const nodeCount = Math.max(4, options.nodes ?? Math.round(pods / 100));
  const workers = nodeCount - 1;
  const windowsShare = options.windowsShare ?? 0.1;
  const windowsNodes = windowsShare > 0 ? Math.max(1, Math.round(workers * windowsShare)) : 0;
  const linuxNodes = workers - windowsNodes;
  const notReadyCount = options.notReadyNodes ?? Math.min(2, linuxNodes - 1);
  if (linuxNodes < 1 + notReadyCount) throw new Error(`pod fill: ${nodeCount} nodes leave no Ready Linux worker`);
  const prefix = options.nodePrefix ?? 'fill';

  const linuxNames = Array.from({ length: linuxNodes }, (_, i) => `${prefix}-linux-${String(i + 1).padStart(4, '0')}`);
  const windowsNames = Array.from({ length: windowsNodes }, (_, i) => `${prefix}-windows-${String(i + 1).padStart(4, '0')}`);
  // Spread over the Linux workers rather than the first few, as failures land in real clusters.
  const notReadyNodes = Array.from(
    { length: notReadyCount },
    (_, i) => linuxNames[Math.floor(((i + 1) * linuxNodes) / (notReadyCount + 1))]!,
  );

  const average = options.podsPerDeployment ?? 100;
  const deployments = Math.max(1, Math.round(pods / average));
  const sizes = Array.from({ length: deployments }, (_, i) =>
    Math.max(1, Math.floor((SIZE_PATTERN[i % SIZE_PATTERN.length]! * pods) / deployments)),
  );
  // Whatever the pattern left over (or took too much) goes to the first Deployments, one each.
  let rest = pods - sizes.reduce((sum, size) => sum + size, 0);
  for (let i = 0; rest !== 0; i = (i + 1) % deployments) {
    if (rest < 0 && sizes[i]! <= 1) continue;
    sizes[i]! += Math.sign(rest);
    rest -= Math.sign(rest);
  }
  const namespaceCount = Math.max(2, options.namespaces ?? Math.round(pods / 3_000));
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `fill-${String(i).padStart(2, '0')}`);

  // Every tenth Deployment (the average-sized ones) runs on Windows when there are Windows nodes.
  const cursors = { linux: 0, windows: 0 };
  const apps: PlannedApp[] = sizes.map((size, i) => {
    const os: SimulatedNodeOs = windowsNodes > 0 && i % 10 === 5 ? 'windows' : 'linux';
    const name = `${STEMS[i % STEMS.length]}-${String(i).padStart(4, '0')}`;
    const namespace = namespaces[i % namespaceCount]!;
    const hash = safeSuffix(`${namespace}/${name}`, 10);
    const hosts = os === 'windows' ? windowsNames : linuxNames;
    const planned: PlannedPod[] = Array.from({ length: size }, (_, p) => {
      // Round robin over the nodes of its OS, as the scheduler's spreading roughly does.
      const nodeName = hosts[cursors[os] % hosts.length]!;
      cursors[os] += 1;
      return { name: `${name}-${hash}-${safeSuffix(`${namespace}/${name}/${p}`, 5)}`, nodeName };
    });
    return { namespace, name, os, hash, pods: planned };
  });

  const failing: FailingPod[] = [];
  const linuxApps = apps.filter((app) => app.os === 'linux');
  const markFailures = (failure: PlannedFailure, count: number, offset: number): void => {
    for (let i = 0; i < count; i += 1) {
      const app = linuxApps[(Math.floor((i * linuxApps.length) / count) + offset) % linuxApps.length]!;
      // In the middle of its group, on a Ready node, not already failing.
      const start = Math.floor(app.pods.length / 2);
      for (let step = 0; step < app.pods.length; step += 1) {
        const pod = app.pods[(start + step) % app.pods.length]!;
        if (pod.failure !== undefined || notReadyNodes.includes(pod.nodeName!)) continue;
        pod.failure = failure;
        if (failure === 'Unschedulable') delete pod.nodeName;
        failing.push({ namespace: app.namespace, name: pod.name, deployment: app.name, nodeName: pod.nodeName, failure });
        break;
      }
    }
  };
  markFailures('CrashLoopBackOff', options.crashLooping ?? Math.max(1, Math.round(pods / 2_000)), 0);
  markFailures('ImagePullBackOff', options.imagePullBackOff ?? Math.max(1, Math.round(pods / 5_000)), 1);
  markFailures('Unschedulable', options.unschedulable ?? Math.max(1, Math.round(pods / 5_000)), 2);

  const perIngress = options.servicesPerIngress ?? 5;
  const ingresses: PlannedIngress[] = [];
  for (const namespace of namespaces) {
    const names = apps.filter((app) => app.namespace === namespace).map((app) => app.name);
    for (let i = 0; i < names.length; i += perIngress) {
      ingresses.push({ namespace, name: `ingress-${String(i / perIngress).padStart(3, '0')}`, services: names.slice(i, i + perIngress) });
    }
  }

  // Pods are placed by the fixture, not the scheduler; capacity only has to admit them.
  const load = new Map<string, number>();
  for (const app of apps) for (const pod of app.pods) if (pod.nodeName) load.set(pod.nodeName, (load.get(pod.nodeName) ?? 0) + 1);
  const maxPods = Math.max(110, Math.ceil(Math.max(0, ...load.values()) * 1.2));
  const nodes: SimulatedNodeSpec[] = [
    { name: `${prefix}-control-plane-1`, os: 'linux', role: 'control-plane' },
    ...linuxNames.map((name): SimulatedNodeSpec => ({ name, os: 'linux', maxPods })),
    ...windowsNames.map((name): SimulatedNodeSpec => ({ name, os: 'windows', maxPods })),
  ];
  return {
    nodes,
    notReadyNodes,
    namespaces,
    apps,
    ingresses,
    failing,
    totals: { pods, nodes: nodes.length, windowsNodes, deployments, services: deployments, ingresses: ingresses.length },
  };
}
