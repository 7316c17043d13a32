import { getFreePort } from './free-port.js';
import { startSimulatedKubelets } from './kubelet/simulated-kubelets.js';
import type { RunningKubelets, SimulatedKubelets, SimulatedKubeletsOptions } from './kubelet/simulated-kubelets.js';
import type { ContainerRef, KubeletPod } from './kubelet/kubelet-pods.js';
import { KubeRestClient, isStatus } from './kube-rest.js';
import type { ClusterAccess } from './kubeconfig.js';
import { kubeConfigFor, startResourceWatch } from './resource-watch.js';
import type { ResourceWatch } from './resource-watch.js';
import { LoadBalancerSimulation } from './simulated-load-balancers.js';
import type { SimulatedServiceView } from './simulated-load-balancers.js';
import { kubeMicroTime, kubeTime, leaseObject, nodeObject, nodeStatus, podCidrFor } from './simulated-node-objects.js';
import type { SimulatedNodeInfo, SimulatedNodeSpec } from './simulated-node-objects.js';
import { PodSimulation, slimPod } from './simulated-pods.js';
import { forEachLimited } from './work-queue.js';
import type { PodHostNode, SimulatedPodView } from './simulated-pods.js';

/** Options of {@link startSimulatedNodes}. */
export interface SimulatedNodesOptions {
  nodes: readonly SimulatedNodeSpec[];
  /**
   * Lease renewal interval, default 4 s. Must stay well under the controller-manager's
   * --node-monitor-grace-period (16 s in startControlPlane) or healthy nodes flap NotReady.
   */
  leaseRenewSeconds?: number;
  /** Node status (conditions' lastHeartbeatTime) interval, default 10 s as a kubelet. */
  statusUpdateSeconds?: number;
  /** Pod status patches in flight at most, default 16. */
  podConcurrency?: number;
  /** Give LoadBalancer Services an ingress IP from 192.0.2.0/24. Default true. */
  loadBalancers?: boolean;
  /** First index for pod ranges (10.244.<index>.0/24); use distinct ones for two agents on one cluster. */
  firstNodeIndex?: number;
  /** Transient errors (API server restarting, ...); the simulation retries on its own. Default: ignored. */
  onError?: (error: unknown) => void;
  /**
   * Simulated kubelet endpoints (logs, exec, attach, port-forward) on each node's kubelet port.
   * Default on; `false` leaves the ports reserved but closed (the API server then fails to dial).
   */
  kubelets?: SimulatedKubeletsOptions | false;
}

/** Handle of a running node simulation. */
export interface SimulatedNodes {
  readonly nodes: readonly SimulatedNodeInfo[];
  /**
   * Stops the node's heartbeats (status and Lease) and pod handling, and closes its simulated
   * kubelet's port, as if its kubelet died.
   */
  failNode(name: string): void;
  /** Reopens the kubelet port, resumes heartbeats with a Ready status right away and resyncs the node's pods. */
  recoverNode(name: string): Promise<void>;
  /**
   * The node's machine booted again (its VM was started or rebooted): as recoverNode, with a new
   * boot ID in the node's status, as a kubelet reports after a boot.
   */
  rebootNode(name: string): Promise<void>;
  isFailed(name: string): boolean;
  /**
   * The simulated kubelets: exec records, log rates, ending log streams, port-forwards. Present
   * unless started with `kubelets: false`.
   */
  readonly kubelets: SimulatedKubelets | undefined;
  /**
   * Simulates a container restart: bumps its restartCount (lastState terminated, exit code 1) and
   * starts a new log, so `kubectl logs --previous` shows the old instance's lines.
   */
  restartContainer(ref: ContainerRef): Promise<void>;
  /** Resolves once no pod or Service update is queued or in flight. */
  idle(): Promise<void>;
  /** Stops watches and timers. The Node objects stay (and turn NotReady if the cluster lives on). */
  stop(): Promise<void>;
}

interface NodeState extends PodHostNode {
  spec: SimulatedNodeSpec;
  info: SimulatedNodeInfo;
  uid: string;
}

/**
 * Starts the simulated-node agent, Nestlab's stand-in for kubelets (no container runtime runs on
 * test machines): registers the nodes, keeps their heartbeats fresh, runs bound pods (status
 * only, no containers), finishes pod deletions and hands out LoadBalancer IPs. Each node's
 * kubelet port answers with a simulated kubelet (tests/harness/kubelet): generated logs, exec
 * and attach running real processes on the test machine, port-forward to per-pod HTTP servers.
 * Resolves when every node is registered Ready and the pod and Service watches have listed.
 */
export async function startSimulatedNodes(access: ClusterAccess, options: SimulatedNodesOptions): Promise<SimulatedNodes> {
  const rest = new KubeRestClient(access, (options.podConcurrency ?? 16) + 8);
  const onError = options.onError ?? ((): void => undefined);
  const firstIndex = options.firstNodeIndex ?? 0;
  const states = new Map<string, NodeState>();
  let stopped = false;

  const postStatus = async (node: NodeState, transition: boolean): Promise<void> => {
    await rest.patch(`/api/v1/nodes/${node.name}/status`, { status: nodeStatus(node.spec, node.info, { transition }) });
  };
  const renewLease = async (node: NodeState): Promise<void> => {
    try {
      await rest.patch(
        `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node.name}`,
        { spec: { holderIdentity: node.name, renewTime: kubeMicroTime() } },
        'merge',
      );
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
      await rest.post('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', leaseObject(node.name, node.uid));
    }
  };

  // Filled in once the pod watch exists; kubelets only get requests after nodes registered.
  const podLookup: { pods?: PodSimulation } = {};
  let kubelets: RunningKubelets | undefined;
  try {
    if (options.kubelets !== false) {
      kubelets = await startSimulatedKubelets((namespace, name) => kubeletPod(podLookup.pods?.find(namespace, name)), options.kubelets);
    }
    let index = firstIndex;
    for (const spec of options.nodes) {
      const info: SimulatedNodeInfo = {
        name: spec.name,
        os: spec.os,
        role: spec.role ?? 'worker',
        podCidr: podCidrFor(index),
        kubeletPort: kubelets !== undefined ? await kubelets.startNode({ name: spec.name, os: spec.os }) : await getFreePort(),
      };
      const uid = await registerNode(rest, spec, info);
      states.set(spec.name, { name: spec.name, os: spec.os, index, failed: false, spec, info, uid });
      index += 1;
    }
    await forEachLimited([...states.values()], 8, async (node) => {
      await postStatus(node, true);
      await renewLease(node);
    });
  } catch (error) {
    rest.close();
    await kubelets?.stop();
    throw error;
  }

  const report = (error: unknown): void => {
    if (!stopped) onError(error);
  };
  const everyAliveNode = (work: (node: NodeState) => Promise<void>): (() => void) => {
    // A tick still waiting on a slow API server makes the next one skip instead of piling up.
    let busy = false;
    return () => {
      if (busy || stopped) return;
      busy = true;
      const alive = [...states.values()].filter((node) => !node.failed);
      void forEachLimited(alive, 8, (node) => work(node).catch(report)).finally(() => {
        busy = false;
      });
    };
  };
  const timers = [
    setInterval(everyAliveNode(renewLease), (options.leaseRenewSeconds ?? 4) * 1_000),
    setInterval(
      everyAliveNode((node) => postStatus(node, false)),
      (options.statusUpdateSeconds ?? 10) * 1_000,
    ),
  ];
  for (const timer of timers) timer.unref();

  const kubeConfig = kubeConfigFor(access);
  const podSimulation = new PodSimulation(rest, states, options.podConcurrency ?? 16, report);
  podLookup.pods = podSimulation;
  const watches: ResourceWatch[] = [
    startResourceWatch<SimulatedPodView>({
      rest,
      kubeConfig,
      path: '/api/v1/pods',
      // Only bound pods: pending ones are the scheduler's business.
      fieldSelector: 'spec.nodeName!=',
      decode: slimPod,
      handlers: {
        onList: (items) => podSimulation.onList(items),
        onEvent: (t, p) => podSimulation.onEvent(t, p),
        onError: report,
      },
    }),
  ];
  const loadBalancers = options.loadBalancers === false ? undefined : new LoadBalancerSimulation(rest, report);
  if (loadBalancers !== undefined) {
    watches.push(
      startResourceWatch<SimulatedServiceView>({
        rest,
        kubeConfig,
        path: '/api/v1/services',
        handlers: {
          onList: (items) => loadBalancers.onList(items),
          onEvent: (t, s) => loadBalancers.onEvent(t, s),
          onError: report,
        },
      }),
    );
  }
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const timer of timers) clearInterval(timer);
    for (const watch of watches) watch.stop();
    podSimulation.stop();
    loadBalancers?.stop();
    rest.close();
    await kubelets?.stop();
  };
  try {
    await Promise.all(watches.map((w) => w.listed));
  } catch (error) {
    await stop();
    throw error;
  }

  const nodeNamed = (name: string): NodeState => {
    const node = states.get(name);
    if (node === undefined) throw new Error(`no simulated node named ${name}`);
    return node;
  };
  const recover = async (node: NodeState): Promise<void> => {
    if (node.failed && kubelets !== undefined) await kubelets.startNode({ name: node.name, os: node.os }, node.info.kubeletPort);
    node.failed = false;
    await postStatus(node, true);
    await renewLease(node);
    podSimulation.resyncNode(node.name);
  };
  return {
    nodes: [...states.values()].map((node) => node.info),
    failNode: (name) => {
      nodeNamed(name).failed = true;
      // A dead kubelet answers nothing: the API server's dials for logs and exec are refused.
      void kubelets?.stopNode(name).catch(report);
    },
    recoverNode: (name) => recover(nodeNamed(name)),
    rebootNode: async (name) => {
      const node = nodeNamed(name);
      node.info.boots = (node.info.boots ?? 0) + 1;
      await recover(node);
    },
    isFailed: (name) => nodeNamed(name).failed,
    kubelets: kubelets?.kubelets,
    restartContainer: async (ref) => {
      await restartContainerStatus(rest, ref);
      kubelets?.restartContainerLog(ref);
    },
    idle: async () => {
      await Promise.all([podSimulation.idle(), loadBalancers?.idle()]);
    },
    stop,
  };
}

/** Creates the Node, or adopts one left by an earlier run with the same name. Returns its uid. */
async function registerNode(rest: KubeRestClient, spec: SimulatedNodeSpec, info: SimulatedNodeInfo): Promise<string> {
  const body = nodeObject(spec, info);
  try {
    const created = await rest.post<{ metadata: { uid: string } }>('/api/v1/nodes', body);
    return created.metadata.uid;
  } catch (error) {
    if (!isStatus(error, 409)) throw error;
    const { metadata, spec: nodeSpec } = body as { metadata: unknown; spec: unknown };
    const existing = await rest.patch<{ metadata: { uid: string } }>(`/api/v1/nodes/${spec.name}`, {
      metadata,
      spec: nodeSpec,
    });
    return existing.metadata.uid;
  }
}

/** The kubelets' view of a pod the agent knows. */
function kubeletPod(pod: SimulatedPodView | undefined): KubeletPod | undefined {
  const { namespace, name, uid, labels } = pod?.metadata ?? {};
  const nodeName = pod?.spec?.nodeName;
  if (namespace === undefined || name === undefined || uid === undefined || nodeName === undefined) return undefined;
  return {
    namespace,
    name,
    uid,
    nodeName,
    labels: labels ?? {},
    containers: (pod?.spec?.containers ?? []).map((container) => ({
      name: container.name,
      ports: (container.ports ?? []).flatMap((port) => (port.containerPort !== undefined ? [port.containerPort] : [])),
    })),
  };
}

interface ContainerStatusView {
  name: string;
  restartCount?: number;
  state?: { running?: { startedAt?: string } };
}

/** What a kubelet reports after a container restarted: restartCount + 1, the old run as lastState. */
async function restartContainerStatus(rest: KubeRestClient, ref: ContainerRef): Promise<void> {
  const path = `/api/v1/namespaces/${ref.namespace}/pods/${ref.pod}`;
  const pod = await rest.get<{ status?: { containerStatuses?: ContainerStatusView[] } }>(path);
  const statuses = pod.status?.containerStatuses ?? [];
  if (!statuses.some((status) => status.name === ref.container)) {
    throw new Error(`pod ${ref.namespace}/${ref.pod} has no running container ${ref.container} to restart`);
  }
  const now = kubeTime();
  const containerStatuses = statuses.map((status) =>
    status.name !== ref.container
      ? status
      : {
          ...status,
          restartCount: (status.restartCount ?? 0) + 1,
          lastState: {
            terminated: { exitCode: 1, reason: 'Error', startedAt: status.state?.running?.startedAt ?? now, finishedAt: now },
          },
          state: { running: { startedAt: now } },
        },
  );
  await rest.patch(`${path}/status`, { status: { containerStatuses } }, 'merge');
}

/** Counts of a typical lab, used by lab:sim and tests. */
export interface LabShape {
  controlPlanes?: number;
  linuxWorkers?: number;
  windowsWorkers?: number;
  /** Node name prefix, default `sim`. */
  prefix?: string;
}

/**
 * Node specs of a lab: by default one control-plane node, two Linux workers and one Windows worker,
 * named `sim-control-plane-1`, `sim-linux-1`, `sim-linux-2`, `sim-windows-1`.
 */
export function labNodeSpecs(shape: LabShape = {}): SimulatedNodeSpec[] {
  const prefix = shape.prefix ?? 'sim';
  const specs: SimulatedNodeSpec[] = [];
  for (let i = 1; i <= (shape.controlPlanes ?? 1); i += 1) {
    specs.push({ name: `${prefix}-control-plane-${i}`, os: 'linux', role: 'control-plane' });
  }
  for (let i = 1; i <= (shape.linuxWorkers ?? 2); i += 1) {
    specs.push({ name: `${prefix}-linux-${i}`, os: 'linux' });
  }
  for (let i = 1; i <= (shape.windowsWorkers ?? 1); i += 1) {
    specs.push({ name: `${prefix}-windows-${i}`, os: 'windows' });
  }
  return specs;
}
