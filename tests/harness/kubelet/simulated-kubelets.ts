import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedCertificate } from '../certs.js';
import { ContainerLogs, DEFAULT_LOG_SETTINGS } from './container-logs.js';
import { ExecSessions } from './exec-sessions.js';
import type { ExecRecord } from './exec-sessions.js';
import { startKubeletServer } from './kubelet-server.js';
import type { KubeletRuntime, KubeletServer } from './kubelet-server.js';
import type { ContainerFilter, ContainerRef, FindPod, KubeletNode } from './kubelet-pods.js';
import { PodWebServers } from './pod-web-servers.js';
import { PortForwarding } from './port-forwarding.js';
import type { PortForwardRecord } from './port-forwarding.js';

/** Options of the simulated kubelets (`kubelets` in startSimulatedNodes' options). */
export interface SimulatedKubeletsOptions {
  /** Log lines each container writes per second, default 1 (a benchmark can ask for 10,000). */
  logLinesPerSecond?: number;
  /** Lines already in each container's log when first read, default 120, spread over {@link logHistorySeconds}. */
  logHistoryLines?: number;
  /** Default 600 s. */
  logHistorySeconds?: number;
}

/**
 * What tests can see and steer of the simulated kubelets (one HTTPS server per simulated node
 * on its kubeletEndpoint port; see docs/HARNESS.md).
 */
export interface SimulatedKubelets {
  /** Exec and attach connections so far (requested command, what ran, PID, resizes, exit code). */
  execSessions(filter?: ContainerFilter): ExecRecord[];
  /** The folder that stands in for a container's filesystem (cwd and HOME of its exec processes). */
  containerDir(ref: ContainerRef): string;
  /** Log lines per second of matching containers (all when no filter), now and for logs created later. */
  setLogRate(linesPerSecond: number, filter?: ContainerFilter): void;
  /**
   * Ends matching `follow` log streams from the kubelet's side, as if the container's log ended
   * (`abrupt: true` drops the connection instead). Returns how many were ended.
   */
  endLogStreams(filter?: ContainerFilter, options?: { abrupt?: boolean }): number;
  /** How many clients follow matching logs now (through the API server). */
  logFollowers(filter?: ContainerFilter): number;
  /** Forwarded connections so far. */
  portForwards(filter?: Omit<ContainerFilter, 'container'>): PortForwardRecord[];
  /** The kubelet port of a node (also while the node is failed and its port closed). */
  port(nodeName: string): number;
}

/** The kubelets plus what startSimulatedNodes needs to run and stop them. */
export interface RunningKubelets {
  kubelets: SimulatedKubelets;
  /** Starts the server of one node (on `port`, or a free one); resolves with its port. */
  startNode(node: KubeletNode, port?: number): Promise<number>;
  /** Stops the server of one node, as when its kubelet dies: the API server's dials are refused. */
  stopNode(name: string): Promise<void>;
  /** Starts a new log instance for a container (`--previous` then shows the old one). */
  restartContainerLog(ref: ContainerRef): void;
  stop(): Promise<void>;
}

/**
 * Simulated kubelets: real HTTPS servers on loopback that kube-apiserver proxies logs, exec,
 * attach and port-forward to. Logs are generated, exec runs real processes on the test machine,
 * port-forward reaches small per-pod HTTP servers. One self-signed certificate serves them all.
 */
export async function startSimulatedKubelets(findPod: FindPod, options: SimulatedKubeletsOptions = {}): Promise<RunningKubelets> {
  const root = await mkdtemp(join(tmpdir(), 'nestlab-kubelets-'));
  const tls = await selfSignedCertificate({ dir: root, name: 'kubelet', commonName: 'nestlab-simulated-kubelet', sans: ['IP:127.0.0.1'] });
  await mkdir(join(root, 'containers'));
  const webServers = new PodWebServers();
  const runtime: KubeletRuntime = {
    findPod,
    logs: new ContainerLogs({
      ...DEFAULT_LOG_SETTINGS,
      ...(options.logLinesPerSecond !== undefined ? { linesPerSecond: options.logLinesPerSecond } : {}),
      ...(options.logHistoryLines !== undefined ? { historyLines: options.logHistoryLines } : {}),
      ...(options.logHistorySeconds !== undefined ? { historySeconds: options.logHistorySeconds } : {}),
    }),
    sessions: new ExecSessions(join(root, 'containers')),
    portForwarding: new PortForwarding(webServers),
  };
  // A test process that exits without stop() still ends the exec processes and removes the folder.
  const onExit = (): void => {
    runtime.sessions.killAll();
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const servers = new Map<string, KubeletServer>();
  const ports = new Map<string, number>();
  const kubelets: SimulatedKubelets = {
    execSessions: (filter) => runtime.sessions.list(filter),
    containerDir: (ref) => {
      const pod = findPod(ref.namespace, ref.pod);
      if (pod === undefined) throw new Error(`no pod ${ref.namespace}/${ref.pod} on a simulated node`);
      return runtime.sessions.containerDir(pod.nodeName, ref);
    },
    setLogRate: (linesPerSecond, filter) => runtime.logs.setRate(linesPerSecond, filter),
    endLogStreams: (filter, endOptions) => runtime.logs.endStreams(filter, endOptions),
    logFollowers: (filter) => runtime.logs.followerCount(filter),
    portForwards: (filter) => runtime.portForwarding.list(filter),
    port: (nodeName) => {
      const port = ports.get(nodeName);
      if (port === undefined) throw new Error(`no simulated kubelet for node ${nodeName}`);
      return port;
    },
  };
  return {
    kubelets,
    startNode: async (node, port) => {
      const server = await startKubeletServer(node, tls, runtime, port);
      servers.set(node.name, server);
      ports.set(node.name, server.port);
      return server.port;
    },
    stopNode: async (name) => {
      const server = servers.get(name);
      servers.delete(name);
      await server?.close();
    },
    restartContainerLog: (ref) => runtime.logs.restart(ref),
    stop: async () => {
      process.off('exit', onExit);
      runtime.logs.stop();
      runtime.portForwarding.stop();
      runtime.sessions.killAll();
      await Promise.all([...servers.values()].map((server) => server.close()));
      await webServers.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
