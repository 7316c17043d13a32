/**
 * The pods domain: the pods list, log streams, events, describe, and port-forwards, on the
 * contexts imported in the Clusters view (the same KubeConfig provider as the topology).
 */
import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type {
  ApiServerForwardTarget,
  ForwardInfo,
  ForwardRequest,
  LabHostForwardTarget,
  LogBatch,
  LogOptions,
  LogSource,
  LogStreamEnd,
  LogStreamInfo,
  ObjectDescription,
  ObjectEvent,
  PodListChange,
  PodListFollow,
  PodQuery,
  PodsObjectRef,
  PodsService as PodsContract,
  PodSummary,
} from '../../shared/contract/pods';
import { AppError } from '../../shared/errors';
import { Emitter, type Event } from '../../shared/event';
import type { KubeApi } from '../kube/kube-api';
import { toAppError } from '../kube/kube-errors';
import type { KubeConfigProvider } from '../kube/kubeconfig-provider';
import { listCollection } from '../kube/list-watch';
import { RefreshingKubeApi } from '../kube/refreshing-kube-api';
import { describeDeployment, describePod, describeService } from './describe';
import { isServingPod, podPortFor, servicePortOf, serviceSelector } from './forward-target';
import { LogStream, type LogStreamDeps } from './log-stream';
import { toObjectEvents } from '../kube/object-events';
import { PodFollow } from './pod-follow';
import { selectorQuery, sortPods, toPodSummary } from './pod-summary';
import type { LabTunnels } from './lab-tunnels';
import { FORWARD_ADDRESS } from './loopback-forwarder';
import { PortForwarder, type ForwardSocketFactory } from './port-forward';
import { TunnelForwarder } from './tunnel-forward';
import type { RawDeployment, RawEvent, RawList, RawPod, RawService } from '../kube/raw-types';

export interface PodsServiceOptions {
  provider: KubeConfigProvider;
  /** Batching and flow control of log streams (tests make them small). */
  logs?: Pick<LogStreamDeps, 'batchDelayMs' | 'batchMaxLines' | 'highWatermark' | 'lowWatermark'>;
  forwardSocketFactory?: ForwardSocketFactory;
  /** Port-forwards via 'lab-host': the context's lab host and TCP streams through it. */
  labTunnels?: LabTunnels;
  /** Pods per list page. Default 500 (tests make it small). */
  listPageSize?: number;
}

interface Forward {
  info: ForwardInfo;
  forwarder: { close(): Promise<void> };
}

const enc = encodeURIComponent;

/** Pods per list page: a page of 500 is about 2 MB of JSON (see bench/pods-list.ts for the figures). */
const POD_LIST_PAGE_SIZE = 500;
/** Followed lists kept at once (a Pods view per window needs one). */
const MAX_FOLLOWS = 4;
/** Above this many rows a followed list sends its changes once a second instead of four times. */
const LARGE_LIST = 5_000;

export class PodsService implements PodsContract {
  private readonly logsEmitter = new Emitter<LogBatch>();
  private readonly endEmitter = new Emitter<LogStreamEnd>();
  private readonly forwardsEmitter = new Emitter<ForwardInfo[]>();
  private readonly podsEmitter = new Emitter<PodListChange>();
  readonly onDidLogs: Event<LogBatch> = this.logsEmitter.event;
  readonly onDidEndLogs: Event<LogStreamEnd> = this.endEmitter.event;
  readonly onDidChangeForwards: Event<ForwardInfo[]> = this.forwardsEmitter.event;
  readonly onDidChangePods: Event<PodListChange> = this.podsEmitter.event;

  private readonly streams = new Map<string, LogStream>();
  private readonly forwards = new Map<string, Forward>();
  private readonly follows = new Map<string, PodFollow>();
  private disposed = false;

  constructor(private readonly options: PodsServiceOptions) {}

  /**
   * One paged list (limit/continue) into compact rows: each page is decoded into PodSummary rows
   * as it arrives, so the main process never holds a whole list of full pod objects, and only the
   * rows cross to the window.
   */
  async listPods(podQuery: PodQuery): Promise<PodSummary[]> {
    const { api } = await this.connect(podQuery.context);
    const collection = await this.podCollection(api, podQuery);
    if (!collection) return [];
    return (await this.listCollectionOfPods(api, collection)).pods;
  }

  async followPods(podQuery: PodQuery): Promise<PodListFollow> {
    this.ensureRunning();
    const { api } = await this.connect(podQuery.context);
    const collection = await this.podCollection(api, podQuery);
    const followId = randomUUID();
    if (!collection) return { followId, pods: [] };
    const { pods, resourceVersion } = await this.listCollectionOfPods(api, collection);
    if (this.disposed) throw new AppError('CANCELLED', 'Nestlab is shutting down.');
    const follow = new PodFollow(followId, {
      api,
      ...collection,
      resourceVersion,
      emit: (change) => this.podsEmitter.fire(change),
      // The window indexes every row again per change (tens of ms at 30,000): big lists change less often.
      flushMs: pods.length > LARGE_LIST ? 1_000 : 250,
    });
    this.follows.set(followId, follow);
    // A window that went away without unfollowing leaves its follow behind: keep the newest few.
    for (const [id, old] of this.follows) {
      if (this.follows.size <= MAX_FOLLOWS) break;
      old.stop();
      this.follows.delete(id);
    }
    follow.start();
    return { followId, pods };
  }

  unfollowPods(followId: string): Promise<void> {
    this.follows.get(followId)?.stop();
    this.follows.delete(followId);
    return Promise.resolve();
  }

  /** The pods collection a query names; undefined for a Deployment whose selector selects nothing. */
  private async podCollection(
    api: KubeApi,
    { context, namespace, deployment }: PodQuery,
  ): Promise<{ path: string; query: Record<string, string> } | undefined> {
    const path = namespace ? `/api/v1/namespaces/${enc(namespace)}/pods` : '/api/v1/pods';
    if (deployment === undefined || namespace === undefined) return { path, query: {} };
    const found = await this.get<RawDeployment>(api, `/apis/apps/v1/namespaces/${enc(namespace)}/deployments/${enc(deployment)}`, {
      kind: 'Deployment',
      namespace,
      name: deployment,
      context,
    });
    const selector = selectorQuery(found.spec?.selector);
    return selector ? { path, query: { labelSelector: selector } } : undefined;
  }

  private async listCollectionOfPods(
    api: KubeApi,
    collection: { path: string; query: Record<string, string> },
  ): Promise<{ pods: PodSummary[]; resourceVersion: string | undefined }> {
    try {
      const { items, resourceVersion } = await listCollection(api, {
        ...collection,
        decode: toPodSummary,
        pageSize: this.options.listPageSize ?? POD_LIST_PAGE_SIZE,
      });
      return { pods: sortPods(items), resourceVersion };
    } catch (error) {
      throw toAppError(error);
    }
  }

  async startLogs(source: LogSource, options: LogOptions): Promise<LogStreamInfo> {
    this.ensureRunning();
    const { api } = await this.connect(source.context);
    const id = randomUUID();
    const stream = new LogStream(id, source, options, {
      ...this.options.logs,
      api,
      emitBatch: (batch) => this.logsEmitter.fire(batch),
      emitEnd: (end) => this.endEmitter.fire(end),
    });
    this.streams.set(id, stream);
    try {
      return await stream.start();
    } catch (error) {
      stream.stop();
      this.streams.delete(id);
      throw toAppError(error);
    }
  }

  retryLogs(streamId: string): Promise<LogStreamInfo> {
    this.ensureRunning();
    const stream = this.streams.get(streamId);
    if (!stream) return Promise.reject(new AppError('NOT_FOUND', 'That log stream was stopped; open the logs again.', { streamId }));
    return stream.retry();
  }

  stopLogs(streamId: string): Promise<void> {
    this.streams.get(streamId)?.stop();
    this.streams.delete(streamId);
    return Promise.resolve();
  }

  acknowledgeLogs(streamId: string, lineCount: number): Promise<void> {
    this.streams.get(streamId)?.acknowledge(lineCount);
    return Promise.resolve();
  }

  async events(ref: PodsObjectRef): Promise<ObjectEvent[]> {
    const { api } = await this.connect(ref.context);
    const selector = new URLSearchParams({ fieldSelector: `involvedObject.kind=${ref.kind},involvedObject.name=${ref.name}` });
    const path = ref.namespace ? `/api/v1/namespaces/${enc(ref.namespace)}/events` : '/api/v1/events';
    const list = await this.get<RawList<RawEvent>>(api, `${path}?${selector.toString()}`);
    return toObjectEvents(list.items ?? []);
  }

  async describe(ref: PodsObjectRef): Promise<ObjectDescription> {
    if (!ref.namespace) throw new AppError('INVALID_INPUT', `Describe needs the namespace of ${ref.kind} ${ref.name}.`);
    const { api } = await this.connect(ref.context);
    const namespace = enc(ref.namespace);
    const name = enc(ref.name);
    switch (ref.kind) {
      case 'Pod':
        return describePod(await this.get<RawPod>(api, `/api/v1/namespaces/${namespace}/pods/${name}`, ref));
      case 'Deployment':
        return describeDeployment(await this.get<RawDeployment>(api, `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`, ref));
      case 'Service':
        return describeService(await this.get<RawService>(api, `/api/v1/namespaces/${namespace}/services/${name}`, ref));
      default:
        throw new AppError('INVALID_INPUT', `Nestlab describes Pods, Deployments and Services, not ${ref.kind}.`, { kind: ref.kind });
    }
  }

  async startForward(request: ForwardRequest): Promise<ForwardInfo> {
    this.ensureRunning();
    if (request.via === 'lab-host') return this.startTunnel(request);
    const { api, config } = await this.connect(request.context);
    const { pod, podPort } = await this.forwardTarget(api, request);
    const id = randomUUID();
    const forwarder = await PortForwarder.listen({
      kubeconfig: config,
      namespace: request.namespace,
      pod,
      podPort,
      localPort: request.localPort ?? 0,
      onConnections: (connections) => this.updateForward(id, { connections }),
      onError: (error) => this.updateForward(id, { lastError: error.toJSON() }),
      ...(this.options.forwardSocketFactory ? { socketFactory: this.options.forwardSocketFactory } : {}),
    });
    return this.register(id, request, { via: 'api-server', pod, podPort }, forwarder);
  }

  /**
   * An SSH tunnel through the lab host to the Service's external address: for a LoadBalancer
   * address on a lab network this computer cannot reach. One stream is opened first, so an
   * unreachable host or address is said now rather than at the browser's first request.
   */
  private async startTunnel(request: ForwardRequest): Promise<ForwardInfo> {
    const where = `Service ${request.namespace}/${request.name}`;
    if (request.kind !== 'service') {
      throw new AppError(
        'INVALID_INPUT',
        `A tunnel through the lab host goes to a Service's external address, not to pod ${request.namespace}/${request.name}. Forward to the pod through the API server instead.`,
        { field: 'kind' },
      );
    }
    const host = await this.options.labTunnels?.hostOf(request.context);
    if (this.options.labTunnels === undefined || host === undefined) {
      throw new AppError(
        'NOT_FOUND',
        `Context "${request.context}" is not the context of a Nestlab lab, so there is no lab host to tunnel through. Open ${where} through the port-forward (the API server) instead.`,
        { context: request.context },
      );
    }
    const { api } = await this.connect(request.context);
    const service = await this.get<RawService>(api, `/api/v1/namespaces/${enc(request.namespace)}/services/${enc(request.name)}`, {
      ...request,
      kind: 'Service',
    });
    const ingress = service.status?.loadBalancer?.ingress?.[0];
    const address = ingress?.ip ?? ingress?.hostname;
    if (address === undefined || address === '') {
      throw new AppError(
        'NOT_FOUND',
        `${where} has no external address yet (type ${service.spec?.type ?? 'unknown'}), and the tunnel goes to it. Wait until its LoadBalancer address is assigned, or use the port-forward through the API server.`,
      );
    }
    servicePortOf(service, request.remotePort, request);
    const tunnels = this.options.labTunnels;
    const open = async () => {
      try {
        return await tunnels.open(host.id, address, request.remotePort);
      } catch (error) {
        const cause = AppError.from(error);
        throw new AppError(
          cause.code,
          `The tunnel through lab host "${host.name}" to ${address}:${request.remotePort} (${where}) could not be opened: ${cause.message}`,
          { ...cause.details, hostId: host.id, address, port: request.remotePort },
        );
      }
    };
    (await open()).destroy();
    const id = randomUUID();
    const forwarder = await TunnelForwarder.listen({
      open,
      localPort: request.localPort ?? 0,
      onConnections: (connections) => this.updateForward(id, { connections }),
      onError: (error) => this.updateForward(id, { lastError: error.toJSON() }),
    });
    return this.register(id, request, { via: 'lab-host', host, address, port: request.remotePort }, forwarder);
  }

  /** Lists a forward whose port is open (or closes it again when Nestlab is shutting down meanwhile). */
  private async register(
    id: string,
    request: ForwardRequest,
    target: ApiServerForwardTarget | LabHostForwardTarget,
    forwarder: { localPort: number; close(): Promise<void> },
  ): Promise<ForwardInfo> {
    if (this.disposed) {
      await forwarder.close();
      throw new AppError('CANCELLED', 'Nestlab is shutting down.');
    }
    const info: ForwardInfo = {
      id,
      request,
      ...target,
      localAddress: FORWARD_ADDRESS,
      localPort: forwarder.localPort,
      url: `http://${FORWARD_ADDRESS}:${forwarder.localPort}/`,
      connections: 0,
    };
    this.forwards.set(id, { info, forwarder });
    this.fireForwards();
    return info;
  }

  listForwards(): Promise<ForwardInfo[]> {
    return Promise.resolve(this.forwardList());
  }

  async stopForward(forwardId: string): Promise<void> {
    const forward = this.forwards.get(forwardId);
    if (!forward) return;
    this.forwards.delete(forwardId);
    await forward.forwarder.close();
    this.fireForwards();
  }

  /** Stops every log stream and closes every forwarded port (app quit). */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const stream of this.streams.values()) stream.stop();
    this.streams.clear();
    for (const follow of this.follows.values()) follow.stop();
    this.follows.clear();
    const forwards = [...this.forwards.values()];
    this.forwards.clear();
    await Promise.all(forwards.map((forward) => forward.forwarder.close()));
    this.logsEmitter.dispose();
    this.endEmitter.dispose();
    this.forwardsEmitter.dispose();
    this.podsEmitter.dispose();
  }

  private async forwardTarget(api: KubeApi, request: ForwardRequest): Promise<{ pod: string; podPort: number }> {
    const namespace = enc(request.namespace);
    if (request.kind === 'pod') {
      const pod = await this.get<RawPod>(api, `/api/v1/namespaces/${namespace}/pods/${enc(request.name)}`, {
        ...request,
        kind: 'Pod',
      });
      if (pod.status?.phase !== 'Running') {
        throw new AppError(
          'INVALID_INPUT',
          `Pod ${request.namespace}/${request.name} is ${pod.status?.phase ?? 'not running'}; only a running pod can be forwarded to.`,
        );
      }
      return { pod: request.name, podPort: request.remotePort };
    }
    const service = await this.get<RawService>(api, `/api/v1/namespaces/${namespace}/services/${enc(request.name)}`, {
      ...request,
      kind: 'Service',
    });
    const selector = serviceSelector(service, request);
    const pods = await this.get<RawList<RawPod>>(
      api,
      `/api/v1/namespaces/${namespace}/pods?${new URLSearchParams({ labelSelector: selector }).toString()}`,
    );
    const pod = (pods.items ?? []).find(isServingPod);
    if (!pod?.metadata?.name) {
      throw new AppError(
        'NOT_FOUND',
        `Service ${request.namespace}/${request.name} has no ready pod to forward to (selector ${selector}).`,
      );
    }
    return { pod: pod.metadata.name, podPort: podPortFor(service, pod, request.remotePort, request) };
  }

  private updateForward(id: string, patch: Pick<Partial<ForwardInfo>, 'connections' | 'lastError'>): void {
    const forward = this.forwards.get(id);
    if (!forward) return;
    forward.info = { ...forward.info, ...patch };
    this.fireForwards();
  }

  private forwardList(): ForwardInfo[] {
    return [...this.forwards.values()].map((forward) => forward.info);
  }

  private fireForwards(): void {
    this.forwardsEmitter.fire(this.forwardList());
  }

  private ensureRunning(): void {
    if (this.disposed) throw new AppError('CANCELLED', 'Nestlab is shutting down.');
  }

  private async kubeConfig(context: string): Promise<KubeConfig> {
    return this.options.provider.kubeConfigFor(context);
  }

  /** The API access for a context; a log stream that runs for hours reads credentials again after a 401. */
  private async connect(context: string): Promise<{ api: RefreshingKubeApi; config: KubeConfig }> {
    let config: KubeConfig | undefined;
    const api = await RefreshingKubeApi.forContext(
      {
        kubeConfigFor: async (name) => (config = await this.kubeConfig(name)),
        forgetCredentials: (name) => this.options.provider.forgetCredentials?.(name),
      },
      context,
    );
    return { api, config: config! };
  }

  /** GET with errors said for people: a missing object is named with its kind and context. */
  private async get<T>(api: KubeApi, path: string, object?: PodsObjectRef): Promise<T> {
    try {
      return await api.getJson<T>(path, 30_000);
    } catch (error) {
      const appError = toAppError(error);
      if (appError.code === 'NOT_FOUND' && object) {
        throw new AppError('NOT_FOUND', `${object.kind} ${object.namespace}/${object.name} does not exist in context ${object.context}.`, {
          kind: object.kind,
          name: object.name,
        });
      }
      throw appError;
    }
  }
}
