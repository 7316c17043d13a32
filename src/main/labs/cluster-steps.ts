/**
 * The Kubernetes side of a lab: the kubeconfig (fetched over SSH, rebuilt from its certificates,
 * verified by connecting, saved into Nestlab's clusters), node annotations, readiness, and the
 * careful removal of a worker (cordon, drain with a timeout, delete the node), uncordon after maintenance.
 */
import type { ClashResolution, ImportResult, KubeconfigSource } from '../../shared/contract/clusters';
import type { LabMachine } from '../../shared/contract/labs';
import { HOST_ANNOTATION, VM_ANNOTATION } from '../../shared/contract/topology';
import { AppError } from '../../shared/errors';
import { toKubeConfig, type ConnectionTarget } from '../kube/connection-target';
import { ApiDiscovery } from '../kube/discovery';
import { createKubeApi } from '../kube/kube-api';
import type { KubeRequest } from '../kube/target-request';
import { adminKubeconfigPath } from './bootstrap';
import { endpointService, kubeconfigServer } from '../../shared/lab-endpoint';
import { labCredentials, labKubeconfig } from './lab-kubeconfig';
import { firstControlPlane } from './machines';
import { done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';
import type { ClusterSteps, NodeDrainOptions } from './step-planner';
import { drainNode } from './day2/drain';

/** What the lab needs of the clusters service. */
export interface LabClusters {
  importKubeconfig(source: KubeconfigSource, resolutions: ClashResolution[]): Promise<ImportResult>;
  remove(context: string): Promise<unknown>;
  contextNames(): Promise<string[]>;
  requestAs(context: string, request: KubeRequest): Promise<unknown>;
}

interface NodeView {
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean };
  status?: { conditions?: { type: string; status: string }[] };
}

export interface ClusterStepOptions {
  clusters: LabClusters;
  /** The lab host's name, for the host annotation. */
  hostName: string;
  /** The lab host's address as this computer reaches it (the kubeconfig's server where HAProxy's host port is the way in). */
  hostAddress: string;
  /** driver 'existing': the inventory host's name of a machine; its node gets that as host and no VM annotation. */
  machineHost?: (machine: LabMachine) => string;
  /** The context the lab's kubeconfig is saved as (the lab name). */
  context: string;
  /** Whether the context with the lab's name is this lab's (saved by it before): then it is replaced. */
  ownsContext: () => boolean;
  onSaved: (context: string | undefined) => void;
  drainTimeoutMs: number;
  /** Verify the lab's credentials by connecting; answers the server's version (default: GET /version). */
  verify?: (target: ConnectionTarget) => Promise<string>;
  /**
   * Where the kubeconfig points, given the server it would name: that server, or (the host's port
   * not answering from here) an SSH tunnel's 127.0.0.1 port with the name to check the certificate
   * against. Default: the server itself.
   */
  route?: (ctx: StepContext, server: { host: string; port: number }, ca: string) => Promise<EndpointRoute>;
}

/** The server the lab's kubeconfig names, and the name its certificate is checked against when that differs. */
export interface EndpointRoute {
  host: string;
  port: number;
  tlsServerName?: string;
}

/**
 * GET /version through src/main/kube with only the lab's CA, client certificate and key (the
 * fetched file is never loaded as a kubeconfig, so nothing in it can run or read anything here).
 */
async function verifyByConnecting(target: ConnectionTarget): Promise<string> {
  const { gitVersion } = await new ApiDiscovery(createKubeApi(toKubeConfig('lab', undefined, target))).versionInfo(10_000);
  if (gitVersion === undefined) throw new AppError('INVALID_INPUT', 'GET /version did not answer a Kubernetes version.');
  return gitVersion;
}

const isReady = (node: NodeView) => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export function createClusterSteps(options: ClusterStepOptions): ClusterSteps {
  const { clusters, context } = options;
  const request = <T>(req: KubeRequest) => clusters.requestAs(context, req) as Promise<T>;
  const getNode = async (name: string): Promise<NodeView | undefined> => {
    try {
      return await request<NodeView>({ path: `/api/v1/nodes/${encodeURIComponent(name)}` });
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  };

  return {
    async saveKubeconfig(ctx: StepContext): Promise<StepOutcome> {
      const saved = !ctx.dry && (await clusters.contextNames()).includes(context);
      if (saved && !options.ownsContext()) {
        throw new AppError('ALREADY_EXISTS', `Nestlab already has a context named "${context}" that this lab did not create.`, {
          context,
          fix: 'Rename or remove that context in the Clusters view, then resume the lab.',
        });
      }
      const first = firstControlPlane(ctx.machines);
      const path = adminKubeconfigPath(ctx.plan);
      const fetched = await ctx.vm(first, { argv: ['cat', path] }, { root: true, secretOutput: true });
      // Through HAProxy's port on the lab host where there is one: the endpoint name resolves only in the lab network.
      const server = kubeconfigServer(ctx.plan, options.hostAddress);
      const { hostPort } = endpointService(ctx.plan);
      ctx.local(
        `Build the lab's kubeconfig from the fetched CA, client certificate and key only (exec plugins, token files and file paths are refused): server https://${server.host}:${server.port}; cluster, user and context "${context}"`,
      );
      if (hostPort !== undefined && options.route !== undefined) {
        const { apiEndpoint } = ctx.plan;
        ctx.local(
          `If port ${server.port} of the lab host does not answer a TLS handshake from this computer: an SSH tunnel via the lab host to ${apiEndpoint.address}:${apiEndpoint.port} on 127.0.0.1, and the kubeconfig names it with tls-server-name ${apiEndpoint.host}`,
        );
      }
      ctx.local(`Verify it: GET /version at https://${server.host}:${server.port}`);
      ctx.local(`Save it in Nestlab's clusters as context "${context}"`);
      if (ctx.dry) return done();
      const route: EndpointRoute =
        options.route === undefined || hostPort === undefined
          ? server
          : await options.route(ctx, server, labCredentials(fetched.stdout).caPem);
      const url = `https://${route.host}:${route.port}`;
      const { kubeconfig, target } = labKubeconfig(
        fetched.stdout,
        context,
        { ...ctx.plan.apiEndpoint, host: route.host, port: route.port },
        route.tlsServerName,
      );
      let version: string;
      try {
        version = await (options.verify ?? verifyByConnecting)(target);
      } catch (error) {
        throw new AppError('UNREACHABLE', `The lab's kubeconfig does not connect to ${url}: ${AppError.from(error).message}`, {
          fix:
            route.tlsServerName !== undefined
              ? `Nestlab tunnels through SSH because port ${server.port} of the lab host does not answer from here; the tunnel does not reach the endpoint either. Check that the first control plane's API server runs (and HAProxy on the host, with three control planes), then resume.`
              : hostPort === undefined
                ? 'Make the API endpoint (VIP or DNS name) reach the first control plane from this computer, then resume.'
                : `Let this computer reach port ${server.port} of the lab host (a firewall on the host or between may block it; HAProxy listens there), then resume.`,
        });
      }
      ctx.log(`Connected: Kubernetes ${version}.`);
      const resolutions: ClashResolution[] = saved
        ? (['context', 'cluster', 'user'] as const).map((kind) => ({ kind, name: context, action: 'replace' as const }))
        : [];
      const result = await clusters.importKubeconfig({ kind: 'text', text: kubeconfig, label: `lab ${context}` }, resolutions);
      if (result.status !== 'imported') {
        throw new AppError('ALREADY_EXISTS', `Nestlab already has a cluster or user named "${context}".`, {
          fix: 'Rename or remove it in the Clusters view, then resume the lab.',
        });
      }
      options.onSaved(context);
      return done(`Saved as context "${context}" (Kubernetes ${version}).`);
    },

    async annotateNode(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
      const wanted: Record<string, string> =
        options.machineHost === undefined
          ? { [HOST_ANNOTATION]: options.hostName, [VM_ANNOTATION]: machine.name }
          : { [HOST_ANNOTATION]: options.machineHost(machine) };
      ctx.local(
        `PATCH node ${machine.name}: ${Object.entries(wanted)
          .map(([key, value]) => `${key}=${value}`)
          .join(', ')}`,
      );
      if (ctx.dry) return done();
      const node = await ctx.waitFor(`node ${machine.name} to register`, () => getNode(machine.name), {
        timeoutMs: 600_000,
        intervalMs: 1_000,
        placeholder: undefined as never,
      });
      const annotations = node.metadata.annotations ?? {};
      if (Object.entries(wanted).every(([key, value]) => annotations[key] === value)) return skipped('Already annotated.');
      await request({
        method: 'PATCH',
        path: `/api/v1/nodes/${encodeURIComponent(machine.name)}`,
        contentType: 'application/merge-patch+json',
        body: { metadata: { annotations: wanted } },
      });
      return done();
    },

    async waitReady(ctx: StepContext, machines: LabMachine[]): Promise<StepOutcome> {
      ctx.local(`Watch nodes ${machines.map((m) => m.name).join(', ')} until Ready`);
      if (ctx.dry) return done();
      await ctx.waitFor(
        'the nodes to be Ready',
        async () => {
          const nodes = await Promise.all(machines.map((machine) => getNode(machine.name)));
          const ready = nodes.filter((node) => node !== undefined && isReady(node)).length;
          ctx.progress(ready / machines.length, `${ready} of ${machines.length} Ready`);
          return ready === machines.length ? true : undefined;
        },
        { timeoutMs: 900_000, intervalMs: 1_000, placeholder: true },
      );
      return done(`${machines.length} Ready`);
    },

    async cordon(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
      ctx.local(`PATCH node ${machine.name}: spec.unschedulable=true`);
      if (ctx.dry) return done();
      const node = await getNode(machine.name);
      if (node === undefined) return skipped('The node is gone.');
      if (node.spec?.unschedulable === true) return skipped('Already cordoned.');
      await request({
        method: 'PATCH',
        path: `/api/v1/nodes/${encodeURIComponent(machine.name)}`,
        contentType: 'application/merge-patch+json',
        body: { spec: { unschedulable: true } },
      });
      return done();
    },

    async drain(ctx: StepContext, machine: LabMachine, drain: NodeDrainOptions = {}): Promise<StepOutcome> {
      if (!ctx.dry && (await getNode(machine.name)) === undefined) return skipped('The node is gone.');
      // A worker being removed loses its emptyDir data with its VM anyway.
      return drainNode(ctx, request, machine.name, {
        timeoutMs: options.drainTimeoutMs,
        deleteEmptyDirData: drain.deleteEmptyDirData ?? true,
      });
    },

    async uncordon(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
      ctx.local(`PATCH node ${machine.name}: spec.unschedulable=false`);
      if (ctx.dry) return done();
      const node = await getNode(machine.name);
      if (node === undefined) throw new AppError('NOT_FOUND', `Node ${machine.name} is not in the cluster.`, { node: machine.name });
      if (node.spec?.unschedulable !== true) return skipped('Not cordoned.');
      await request({
        method: 'PATCH',
        path: `/api/v1/nodes/${encodeURIComponent(machine.name)}`,
        contentType: 'application/merge-patch+json',
        body: { spec: { unschedulable: null } },
      });
      return done();
    },

    async deleteNode(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
      ctx.local(`DELETE node ${machine.name}`);
      if (ctx.dry) return done();
      if ((await getNode(machine.name)) === undefined) return skipped('The node is gone.');
      await request({ method: 'DELETE', path: `/api/v1/nodes/${encodeURIComponent(machine.name)}` });
      return done();
    },

    async forgetKubeconfig(ctx: StepContext): Promise<StepOutcome> {
      ctx.local(`Remove context "${context}" from Nestlab's clusters`);
      if (ctx.dry) return done();
      if (!options.ownsContext() || !(await clusters.contextNames()).includes(context)) return skipped('No context of this lab is saved.');
      await clusters.remove(context);
      options.onSaved(undefined);
      return done();
    },
  };
}
