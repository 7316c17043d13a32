import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlPlaneBinaries } from './binaries.js';
import { ensureControlPlaneBinaries } from './binaries.js';
import { generateControlPlaneCertificates } from './certs.js';
import { getFreePorts } from './free-port.js';
import { KubeRestClient, isStatus } from './kube-rest.js';
import type { ClusterAccess } from './kubeconfig.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ProcessGroupSet, tailFile } from './processes.js';
import type { ManagedProcess } from './processes.js';
import {
  apiServerFlags,
  controllerManagerFlags,
  etcdEndpointOf,
  etcdFlags,
  newTokens,
  schedulerFlags,
  tokenFile,
  tokenFilePath,
} from './control-plane-flags.js';
import type { ControlPlaneLayout } from './control-plane-flags.js';
import { delay } from './wait-for.js';

/** Options of {@link startControlPlane}; every field has a default suited to tests. */
export interface ControlPlaneOptions {
  /** Defaults to {@link ensureControlPlaneBinaries} (runs provision.sh when missing). */
  binaries?: ControlPlaneBinaries;
  /**
   * How long the node lifecycle controller waits for a heartbeat before marking a node NotReady
   * (kube-controller-manager --node-monitor-grace-period). Default 16 s instead of Kubernetes' 40 s
   * so "failed node" tests finish quickly; the simulated nodes renew their Lease every 4 s.
   */
  nodeMonitorGracePeriodSeconds?: number;
  /** Client rate of controller-manager and scheduler (--kube-api-qps); burst is twice this. Default 500. */
  kubeApiQps?: number;
  /** Extra flags appended to the kube-apiserver command line. */
  extraApiServerArgs?: readonly string[];
  /** Further subject alternative names of the API server's certificate (`DNS:...`, `IP:...`), as kubeadm's certSANs. */
  extraSans?: readonly string[];
  /** Extra flags appended to the kube-controller-manager command line. */
  extraControllerManagerArgs?: readonly string[];
  /** Extra flags appended to the etcd command line (e.g. a larger --quota-backend-bytes for scale fixtures). */
  extraEtcdArgs?: readonly string[];
  /** Keep the temporary folder (certificates, logs, etcd data) after stop(). Env NESTLAB_KEEP_CLUSTER_DIR=1. */
  keepDir?: boolean;
  /** Give up starting after this long. Default 90 s (two control planes starting at once on 2 cores). */
  startupTimeoutMs?: number;
  /** Called as each startup step completes, with milliseconds since the call (lab:sim prints these). */
  onProgress?: (step: string, elapsedMs: number) => void;
}

/** A running control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler on loopback. */
export interface ControlPlane {
  /** `https://127.0.0.1:<port>`; the certificate covers 127.0.0.1 but not `localhost` (see certs.ts). */
  server: string;
  apiServerPort: number;
  /** Temporary folder holding certificates, kubeconfigs, logs/ and etcd data; removed by stop(). */
  dir: string;
  caCertPem: string;
  caCertPath: string;
  /** CA key, for tests that sign their own client or server certificates. */
  caKeyPath: string;
  /** Token of user `nestlab-admin` in group system:masters. */
  adminToken: string;
  adminKubeconfigPath: string;
  adminKubeconfig: string;
  /** Token of user `nestlab-viewer`, bound to the `view` ClusterRole (read-only, no secrets). */
  viewerToken: string;
  viewerKubeconfigPath: string;
  viewerKubeconfig: string;
  admin: ClusterAccess;
  viewer: ClusterAccess;
  /** Identity for the simulated-node agent (user `nestlab-simulation`, system:masters). */
  simulation: ClusterAccess;
  /** `http://127.0.0.1:<port>` of etcd. */
  etcdEndpoint: string;
  binaries: ControlPlaneBinaries;
  /** Milliseconds from the call to ready (readyz, viewer binding, default service account). */
  startupMs: number;
  /** PIDs of the control-plane processes that are running now. */
  pids(): number[];
  /**
   * Stops only kube-apiserver: SIGTERM, then SIGKILL after 3 s (it waits for open watches far
   * longer). Pass `{ signal: 'SIGKILL' }` to simulate a crash right away.
   */
  stopApiServer(options?: { signal?: NodeJS.Signals }): Promise<void>;
  /** Starts kube-apiserver again on the same port and waits for /readyz. */
  startApiServer(): Promise<void>;
  /**
   * stopApiServer() then startApiServer(): open watches, log streams and exec sessions through
   * the API server break, as in an API server restart; clients must reconnect.
   */
  restartApiServer(options?: { signal?: NodeJS.Signals }): Promise<void>;
  /**
   * Stops kube-controller-manager and starts it again with `extraArgs` added to the flags it was
   * started with (none: as started). Scale fixtures run it without the workload controllers while
   * they create objects whose owners they set themselves, then with all of them.
   */
  restartControllerManager(extraArgs?: readonly string[]): Promise<void>;
  /**
   * Replaces the extra bearer tokens the API server accepts (beside the harness's own identities,
   * which stay) and restarts it, since kube-apiserver reads its token file only at start: a token
   * left out is revoked. For tests of rotated or revoked credentials.
   */
  setExtraTokens(tokens: readonly { token: string; user: string; groups?: readonly string[] }[]): Promise<void>;
  /** Stops everything, waits for every process to exit and removes {@link dir}. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a real Kubernetes 1.20 control plane on free loopback ports in a new temporary folder.
 * Two can run at once. Resolves once the API server answers /readyz, the viewer's
 * ClusterRoleBinding exists and the `default` service account has its token (so pods can be
 * created right away). No nodes exist yet: add them with startSimulatedNodes().
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  // A port picked by getFreePorts() can be taken by someone else before etcd binds it; one retry
  // with fresh ports covers that race.
  try {
    return await startOnce(options);
  } catch (error) {
    if (error instanceof Error && /address already in use/i.test(error.message)) {
      return startOnce(options);
    }
    throw error;
  }
}

async function startOnce(options: ControlPlaneOptions): Promise<ControlPlane> {
  const startedAt = Date.now();
  const binaries = options.binaries ?? ensureControlPlaneBinaries();
  const keepDir = options.keepDir ?? process.env.NESTLAB_KEEP_CLUSTER_DIR === '1';
  const deadline = startedAt + (options.startupTimeoutMs ?? 90_000);
  const progress = (step: string): void => options.onProgress?.(step, Date.now() - startedAt);
  const dir = await mkdtemp(join(tmpdir(), 'nestlab-control-plane-'));
  await mkdir(join(dir, 'logs'));
  await mkdir(join(dir, 'etcd'), { mode: 0o700 });
  const processes = new ProcessGroupSet(dir, !keepDir);
  let stopped = false;
  let rest: KubeRestClient | undefined;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    rest?.close();
    await processes.stopAll();
    if (!keepDir) await rm(dir, { recursive: true, force: true });
  };

  try {
    const [etcdClientPort, etcdPeerPort, apiServerPort] = (await getFreePorts(3)) as [number, number, number];
    const certs = await generateControlPlaneCertificates(dir, options.extraSans);
    progress('certificates generated');
    const tokens = newTokens();
    const layout: ControlPlaneLayout = { dir, etcdClientPort, etcdPeerPort, apiServerPort, certs };
    await writeFile(tokenFilePath(layout), tokenFile(tokens), { mode: 0o600 });
    const server = `https://127.0.0.1:${apiServerPort}`;
    const etcdEndpoint = etcdEndpointOf(layout);
    const access = (token: string): ClusterAccess => ({ server, token, caCertPem: certs.caCertPem });
    rest = new KubeRestClient(access(tokens.admin), 8);
    const client = rest;

    const etcd = processes.start('etcd', binaries.etcd, [...etcdFlags(layout), ...(options.extraEtcdArgs ?? [])]);
    await waitUntilReady(etcd, deadline, async () => (await fetch(`${etcdEndpoint}/health`)).ok);
    progress('etcd ready');

    const apiServerArgs = apiServerFlags(layout, options.extraApiServerArgs ?? []);
    let apiServer = processes.start('kube-apiserver', binaries.kubeApiserver, apiServerArgs);
    const apiServerReady = (): Promise<boolean> =>
      client.requestText('GET', '/readyz').then(
        () => true,
        () => false,
      );
    await waitUntilReady(apiServer, deadline, apiServerReady);
    progress('kube-apiserver ready');

    const stopApiServer = async (stopOptions: { signal?: NodeJS.Signals } = {}): Promise<void> => {
      // kube-apiserver 1.20 waits up to 60 s on SIGTERM for open watches (its own clients keep
      // some); after 3 s of that we SIGKILL, which is what a restart looks like to clients anyway.
      await apiServer.stop({ signal: stopOptions.signal ?? 'SIGTERM', graceMs: 3_000 });
    };
    const startApiServer = async (): Promise<void> => {
      if (apiServer.isRunning()) return;
      apiServer = processes.start('kube-apiserver', binaries.kubeApiserver, apiServerArgs);
      await waitUntilReady(apiServer, Date.now() + 60_000, apiServerReady);
    };

    const kubeconfigFor = async (name: string, token: string): Promise<string> => {
      const path = join(dir, `${name}.kubeconfig`);
      await writeKubeconfig(path, access(token), { user: name });
      return path;
    };
    const qps = options.kubeApiQps ?? 500;
    const controllerManagerKubeconfig = await kubeconfigFor('kube-controller-manager', tokens.controllerManager);
    const startControllerManager = (extra: readonly string[]): ManagedProcess =>
      processes.start(
        'kube-controller-manager',
        binaries.kubeControllerManager,
        controllerManagerFlags(layout, controllerManagerKubeconfig, {
          qps,
          nodeMonitorGracePeriodSeconds: options.nodeMonitorGracePeriodSeconds ?? 16,
          extra: [...(options.extraControllerManagerArgs ?? []), ...extra],
        }),
      );
    let controllerManager = startControllerManager([]);
    processes.start('kube-scheduler', binaries.kubeScheduler, schedulerFlags(await kubeconfigFor('kube-scheduler', tokens.scheduler), qps));

    await bindViewer(client);
    progress('controller-manager and scheduler started, viewer bound');
    await waitUntil(
      deadline,
      'the default service account and its token',
      () => client.hasServiceAccountToken('default'),
      () => tailFile(join(dir, 'logs', 'kube-controller-manager.log')),
    );

    progress('default service account has its token');
    const admin = access(tokens.admin);
    const viewer = access(tokens.viewer);
    const adminKubeconfigPath = join(dir, 'admin.kubeconfig');
    const viewerKubeconfigPath = join(dir, 'viewer.kubeconfig');
    const adminKubeconfig = await writeKubeconfig(adminKubeconfigPath, admin, { user: 'nestlab-admin' });
    const viewerKubeconfig = await writeKubeconfig(viewerKubeconfigPath, viewer, { user: 'nestlab-viewer' });

    return {
      server,
      apiServerPort,
      dir,
      caCertPem: certs.caCertPem,
      caCertPath: certs.caCertPath,
      caKeyPath: certs.caKeyPath,
      adminToken: tokens.admin,
      adminKubeconfigPath,
      adminKubeconfig,
      viewerToken: tokens.viewer,
      viewerKubeconfigPath,
      viewerKubeconfig,
      admin,
      viewer,
      simulation: access(tokens.simulation),
      etcdEndpoint,
      binaries,
      startupMs: Date.now() - startedAt,
      pids: () => processes.pids(),
      stopApiServer,
      startApiServer,
      restartApiServer: async (restartOptions = {}) => {
        await stopApiServer(restartOptions);
        await startApiServer();
      },
      restartControllerManager: async (extraArgs = []) => {
        await controllerManager.stop({ graceMs: 5_000 });
        controllerManager = startControllerManager(extraArgs);
      },
      setExtraTokens: async (extra) => {
        const lines = extra.map(({ token, user, groups = [] }) => `${token},${user},${user},"${groups.join(',')}"\n`);
        await writeFile(tokenFilePath(layout), tokenFile(tokens) + lines.join(''), { mode: 0o600 });
        await stopApiServer();
        await startApiServer();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The read-only user: `view` through a ClusterRoleBinding created like an administrator would. */
async function bindViewer(client: KubeRestClient): Promise<void> {
  try {
    await client.post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'nestlab-viewer-view', labels: { 'nestlab.dev/test-harness': 'true' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'nestlab-viewer' }],
    });
  } catch (error) {
    if (!isStatus(error, 409)) throw error;
  }
}

/** Polls `ready` until true; fails early with the log tail when the process exits. */
async function waitUntilReady(child: ManagedProcess, deadline: number, ready: () => Promise<boolean>): Promise<void> {
  let exitCode: number | null | undefined;
  void child.exited.then((code) => {
    exitCode = code;
  });
  await waitUntil(
    deadline,
    `${child.name} to become ready`,
    async () => {
      if (exitCode !== undefined) {
        throw new Error(`${child.name} exited with code ${String(exitCode)} during startup; last log lines:\n${tailFile(child.logPath)}`);
      }
      return ready().catch(() => false);
    },
    () => tailFile(child.logPath),
  );
}

async function waitUntil(deadline: number, what: string, check: () => Promise<boolean>, logTail: () => string): Promise<void> {
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}; last log lines:\n${logTail()}`);
    }
    await delay(100);
  }
}
