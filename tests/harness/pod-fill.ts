/**
 * Fills the real control plane with thousands of pods in minutes (issue 23): the objects the
 * controllers would have made (Deployment -> ReplicaSet -> pods, with ownerReferences) are
 * created directly, the pods already bound to simulated nodes, which then run them. See
 * docs/HARNESS.md, "Scale fixtures".
 *
 * Why the workload controllers are off while it creates: a ReplicaSet that exists before its pods
 * makes the ReplicaSet controller create the missing pods itself (racing ours, then deleting the
 * extra), and pods created before their ReplicaSet are orphans it must adopt, one PATCH each.
 * So kube-controller-manager runs without the deployment, replicaset and endpoint controllers
 * while the fixture is created, then restarts with all of them: they list a consistent cluster
 * (every ReplicaSet has exactly its pods, the Deployment's template matches its ReplicaSet's),
 * write statuses and EndpointSlices once, and create or delete nothing.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { ControlPlane, ControlPlaneOptions } from './control-plane.js';
import { isStatus, KubeApiError, KubeRestClient } from './kube-rest.js';
import type { ClusterAccess } from './kubeconfig.js';
import { deploymentObject, ingressObject, podObject, replicaSetObject, serviceObject } from './pod-fill-objects.js';
import type { OwnerRef } from './pod-fill-objects.js';
import { planPodFill } from './pod-fill-plan.js';
import type { PlannedApp, PodFillOptions, PodFillPlan } from './pod-fill-plan.js';
import { startSimulatedNodes } from './simulated-nodes.js';
import type { SimulatedNodes, SimulatedNodesOptions } from './simulated-nodes.js';
import { delay, waitFor } from './wait-for.js';
import { forEachLimited, limiter } from './work-queue.js';

/** Above this many pods the fixture heartbeats like real kubelets (Lease every 10 s) instead of every 4 s. */
const LARGE_FILL = 10_000;

/** Controllers that would create, adopt or delete what the fill creates itself. */
const WORKLOAD_CONTROLLERS_OFF = '--controllers=*,-deployment,-replicaset,-endpoint,-endpointslice,-endpointslicemirroring';

/**
 * Options for startControlPlane() that a fixture of `pods` pods needs. etcd's default quota
 * (2 GiB) is reached at about 100,000 pods with their write history (each pod is written 2-4
 * times while the fixture fills, compaction runs every 5 minutes), after which every write fails
 * with "mvcc: database space exceeded"; 8 GiB is etcd's own suggested maximum. Large fixtures use
 * Kubernetes' own 40 s node grace period, so 1,000 nodes renew Leases every 10 s, not every 4 s.
 */
export function scaleControlPlaneOptions(pods: number): ControlPlaneOptions {
  return {
    extraEtcdArgs: [`--quota-backend-bytes=${8 * 1024 ** 3}`],
    ...(pods > LARGE_FILL ? { nodeMonitorGracePeriodSeconds: 40 } : {}),
  };
}

export interface FillClusterOptions extends PodFillOptions {
  /** Create requests in flight at once. Default 32. */
  concurrency?: number;
  /** For startSimulatedNodes; the nodes come from the plan. */
  simulation?: Omit<SimulatedNodesOptions, 'nodes'>;
  /** A line per phase. */
  onProgress?: (message: string) => void;
  /** No change to pods, ReplicaSets, Deployments or EndpointSlices for this long counts as settled. Default 5 s. */
  quietMs?: number;
  /** Give up after this long. Default 30 minutes. */
  timeoutMs?: number;
}

export interface FillCounts {
  nodes: number;
  pods: number;
  deployments: number;
  replicaSets: number;
  services: number;
  endpointSlices: number;
  ingresses: number;
}

export interface FilledCluster {
  plan: PodFillPlan;
  simulation: SimulatedNodes;
  /** Milliseconds per phase: nodes registered, objects created, pods running, controllers settled; and in all. */
  timings: { nodesMs: number; objectsMs: number; runningMs: number; settledMs: number; totalMs: number };
  /** Object counts now (limit=1 lists: cheap at any size). */
  counts(): Promise<FillCounts>;
  /** Stops the simulated nodes (the control plane is the caller's). */
  stop(): Promise<void>;
}

/**
 * Plans and creates the fixture on `controlPlane`, runs its pods on simulated nodes, fails the
 * planned nodes, and resolves once the controllers have settled and the counts are what was
 * planned. The control plane should have been started with {@link scaleControlPlaneOptions}.
 */
export async function fillCluster(controlPlane: ControlPlane, options: FillClusterOptions): Promise<FilledCluster> {
  const started = performance.now();
  const since = (from: number): number => performance.now() - from;
  const progress = (message: string): void => options.onProgress?.(`${message} (${(since(started) / 1000).toFixed(0)} s)`);
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  const timeLeft = (): number => Math.max(1_000, deadline - Date.now());
  const plan = planPodFill(options);
  const large = plan.totals.pods > LARGE_FILL;
  const concurrency = options.concurrency ?? 32;
  const rest = new KubeRestClient(controlPlane.admin, concurrency + 4);

  await controlPlane.restartControllerManager([WORKLOAD_CONTROLLERS_OFF]);
  const simulation = await startSimulatedNodes(controlPlane.simulation, {
    podConcurrency: 48,
    leaseRenewSeconds: large ? 10 : 4,
    statusUpdateSeconds: large ? 60 : 10,
    ...options.simulation,
    nodes: plan.nodes,
  });
  try {
    const nodesMs = since(started);
    progress(`${plan.nodes.length} nodes registered`);

    const objectsStarted = performance.now();
    const limit = limiter(concurrency);
    const create = (path: string, body: unknown): Promise<{ metadata: { uid: string } }> => limit(() => createOrGet(rest, path, body));
    for (const namespace of plan.namespaces)
      await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const notReady = new Set(plan.notReadyNodes);
    let created = 0;
    const createApp = async (app: PlannedApp): Promise<void> => {
      const base = `/namespaces/${app.namespace}`;
      await create(`/api/v1${base}/services`, serviceObject(app));
      const deployment = await create(`/apis/apps/v1${base}/deployments`, deploymentObject(app));
      const deploymentRef: OwnerRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: app.name, uid: deployment.metadata.uid };
      const replicaSet = replicaSetObject(app, deploymentRef) as { metadata: { name: string } };
      const replicaSetUid = (await create(`/apis/apps/v1${base}/replicasets`, replicaSet)).metadata.uid;
      const owner: OwnerRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSet.metadata.name, uid: replicaSetUid };
      await Promise.all(
        app.pods.map(async (pod) => {
          await create(`/api/v1${base}/pods`, podObject(app, pod, owner, { tolerateNotReady: notReady.has(pod.nodeName ?? '') }));
          created += 1;
          if (created % 10_000 === 0) progress(`${created} pods created`);
        }),
      );
    };
    // A few apps at a time: each keeps the limiter busy with its pods, and the next app's
    // Deployment and ReplicaSet are ready when a pod slot frees up.
    await forEachLimited(plan.apps, 4, createApp);
    await forEachLimited(plan.ingresses, concurrency, async (ingress) => {
      await create(`/apis/networking.k8s.io/v1/namespaces/${ingress.namespace}/ingresses`, ingressObject(ingress));
    });
    const objectsMs = since(objectsStarted);
    progress(`${plan.totals.pods} pods, ${plan.totals.deployments} Deployments and Services, ${plan.totals.ingresses} Ingresses created`);

    const runningStarted = performance.now();
    await waitFor(() => podsShowPlan(rest, plan), {
      timeout: timeLeft(),
      interval: 2_000,
      description: 'every pod Running or in its planned failure',
    });
    await simulation.idle();
    const runningMs = since(runningStarted);
    progress('pods running');

    const settleStarted = performance.now();
    for (const name of plan.notReadyNodes) simulation.failNode(name);
    await controlPlane.restartControllerManager();
    let lastReason = '';
    const settled = (): Promise<true> =>
      controllersSettled(rest, plan).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        if (reason !== lastReason) progress(`waiting: ${(lastReason = reason)}`);
        throw error;
      });
    await waitFor(settled, {
      timeout: timeLeft(),
      interval: 2_000,
      description: 'controllers settled on the fixture',
    });
    await waitQuiet(controlPlane.admin, options.quietMs ?? 5_000, timeLeft());
    const settledMs = since(settleStarted);
    const counts = (): Promise<FillCounts> => countObjects(rest);
    const now = await counts();
    if (now.pods !== plan.totals.pods || now.replicaSets !== plan.totals.deployments) {
      throw new Error(
        `pod fill drifted: ${now.pods} pods and ${now.replicaSets} ReplicaSets, planned ${plan.totals.pods} and ${plan.totals.deployments}`,
      );
    }
    progress('controllers settled');
    return {
      plan,
      simulation,
      timings: { nodesMs, objectsMs, runningMs, settledMs, totalMs: since(started) },
      counts,
      stop: async () => {
        rest.close();
        await simulation.stop();
      },
    };
  } catch (error) {
    rest.close();
    await simulation.stop();
    throw error;
  }
}

/** Creates the object; on 409 (a retry after a lost answer, or a rerun) reads the existing one. */
async function createOrGet(rest: KubeRestClient, collection: string, body: unknown): Promise<{ metadata: { uid: string } }> {
  const name = (body as { metadata: { name: string } }).metadata.name;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await rest.post<{ metadata: { uid: string } }>(collection, body);
    } catch (error) {
      if (isStatus(error, 409)) return rest.get<{ metadata: { uid: string } }>(`${collection}/${name}`);
      // 429, 5xx (etcd timeouts under load) and dropped connections pass; any other answer is a bug.
      const transient = !(error instanceof KubeApiError) || error.status === 429 || error.status >= 500;
      if (!transient || attempt === 5) throw error;
      await delay(250 * 2 ** attempt);
    }
  }
}

interface PodView {
  metadata: { name: string };
  spec: { nodeName?: string };
  status?: { phase?: string; containerStatuses?: Array<{ state?: { waiting?: { reason?: string } } }> };
}

/**
 * True when no pod is Pending but the planned ones (unschedulable, image pull), each showing its
 * reason, and the crash-looping pods show theirs. Lists with resourceVersion=0 come from the API
 * server's watch cache, filtered there: cheap even at 100,000 pods.
 */
async function podsShowPlan(rest: KubeRestClient, plan: PodFillPlan): Promise<boolean> {
  const waiting = (pod: PodView): string | undefined => pod.status?.containerStatuses?.[0]?.state?.waiting?.reason;
  const pending = await rest.get<{ items: PodView[] }>('/api/v1/pods?resourceVersion=0&fieldSelector=status.phase%21%3DRunning');
  const expected = plan.failing.filter((pod) => pod.failure !== 'CrashLoopBackOff');
  if (pending.items.length !== expected.length) return false;
  if (!pending.items.every((pod) => (pod.spec.nodeName === undefined ? true : waiting(pod) === 'ImagePullBackOff'))) return false;
  for (const pod of plan.failing.filter((failing) => failing.failure === 'CrashLoopBackOff')) {
    const current = await rest.get<PodView>(`/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`);
    if (waiting(current) !== 'CrashLoopBackOff') return false;
  }
  return true;
}

interface Workload {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number };
  status?: { observedGeneration?: number; replicas?: number };
}

/**
 * Deployments and ReplicaSets report every planned replica, the EndpointSlices hold every pod
 * that has an IP, and the planned nodes are NotReady with their pods marked not ready. Throws
 * what is still missing (waitFor quotes it when it times out).
 */
async function controllersSettled(rest: KubeRestClient, plan: PodFillPlan): Promise<true> {
  const ready = (conditions: Array<{ type: string; status: string }> | undefined): boolean =>
    conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
  for (const path of ['/apis/apps/v1/deployments', '/apis/apps/v1/replicasets']) {
    const list = await rest.get<{ items: Workload[] }>(`${path}?resourceVersion=0`);
    const behind = list.items.filter(
      (item) => (item.status?.observedGeneration ?? 0) < (item.metadata.generation ?? 1) || item.status?.replicas !== item.spec.replicas,
    );
    if (list.items.length !== plan.totals.deployments || behind.length > 0) {
      throw new Error(`${path}: ${list.items.length} listed, ${behind.length} without a current status`);
    }
  }
  const slices = await rest.get<{ items: Array<{ endpoints?: unknown[] | null }> }>(
    '/apis/discovery.k8s.io/v1beta1/endpointslices?resourceVersion=0',
  );
  const endpoints = slices.items.reduce((sum, slice) => sum + (slice.endpoints?.length ?? 0), 0);
  const withAddress = plan.totals.pods - plan.failing.filter((pod) => pod.failure === 'Unschedulable').length;
  if (endpoints !== withAddress) throw new Error(`EndpointSlices hold ${endpoints} endpoints of ${withAddress}`);
  for (const name of plan.notReadyNodes) {
    const node = await rest.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(`/api/v1/nodes/${name}`);
    if (ready(node.status?.conditions)) throw new Error(`node ${name} is still Ready`);
    const pods = await rest.get<{ items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }> }>(
      `/api/v1/pods?resourceVersion=0&fieldSelector=spec.nodeName%3D${name}`,
    );
    const stillReady = pods.items.filter((pod) => ready(pod.status?.conditions)).length;
    if (stillReady > 0) throw new Error(`${stillReady} pods of NotReady node ${name} still Ready`);
  }
  return true;
}

/** Resolves once pods, ReplicaSets, Deployments and EndpointSlices went `quietMs` without an event. */
async function waitQuiet(access: ClusterAccess, quietMs: number, timeoutMs: number): Promise<void> {
  const rest = new KubeRestClient(access, 2);
  const { metadata } = await rest.get<{ metadata: { resourceVersion: string } }>('/api/v1/namespaces?limit=1');
  rest.close();
  let lastEvent = performance.now();
  const paths = ['/api/v1/pods', '/apis/apps/v1/replicasets', '/apis/apps/v1/deployments', '/apis/discovery.k8s.io/v1beta1/endpointslices'];
  const url = new URL(access.server);
  const requests = paths.map((path) =>
    request(
      {
        hostname: url.hostname,
        port: url.port,
        path: `${path}?watch=1&resourceVersion=${metadata.resourceVersion}`,
        headers: { authorization: `Bearer ${access.token}` },
        ca: access.caCertPem,
      },
      (response) => response.on('data', () => (lastEvent = performance.now())),
    ),
  );
  for (const req of requests) {
    req.on('error', () => undefined);
    req.end();
  }
  try {
    await waitFor(() => performance.now() - lastEvent >= quietMs, {
      timeout: timeoutMs,
      interval: 250,
      description: `${quietMs} ms without a change`,
    });
  } finally {
    for (const req of requests) req.destroy();
  }
}

async function countObjects(rest: KubeRestClient): Promise<FillCounts> {
  const count = async (path: string): Promise<number> => {
    const list = await rest.get<{ items: unknown[]; metadata: { remainingItemCount?: number } }>(`${path}?limit=1`);
    return list.items.length + (list.metadata.remainingItemCount ?? 0);
  };
  const [nodes, pods, deployments, replicaSets, services, endpointSlices, ingresses] = await Promise.all(
    [
      '/api/v1/nodes',
      '/api/v1/pods',
      '/apis/apps/v1/deployments',
      '/apis/apps/v1/replicasets',
      '/api/v1/services',
      '/apis/discovery.k8s.io/v1beta1/endpointslices',
      '/apis/networking.k8s.io/v1/ingresses',
    ].map(count),
  );
  return {
    nodes: nodes!,
    pods: pods!,
    deployments: deployments!,
    replicaSets: replicaSets!,
    services: services!,
    endpointSlices: endpointSlices!,
    ingresses: ingresses!,
  };
}

/** RSS in MB of each running control-plane process, by program name (etcd, kube-apiserver, ...). */
export function controlPlaneMemory(controlPlane: ControlPlane): Record<string, number> {
  const memory: Record<string, number> = {};
  for (const pid of controlPlane.pids()) {
    try {
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      memory[name] = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    } catch {
      // Exited meanwhile.
    }
  }
  return memory;
}
