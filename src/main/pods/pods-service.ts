/**
 * The pods domain: the pods list, log streams, events, describe, and port-forwards, on the
 * contexts imported in the Clusters view (the same KubeConfig provider as the topology).
 */
import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type {
  ForwardInfo,
  ForwardRequest,
  LogBatch,
  LogOptions,
  LogSource,
  LogStreamEnd,
  LogStreamInfo,
  ObjectDescription,
  ObjectEvent,
  PodQuery,
  PodsObjectRef,
  PodsService as PodsContract,
  PodSummary,
} from '../../shared/contract/pods';
import { AppError } from '../../shared/errors';
import { Emitter, type Event } from '../../shared/event';
import { createKubeApi, toAppError, type KubeApi } from '../topology/kube-api';
import type { KubeConfigProvider } from '../topology/kubeconfig-provider';
import { describeDeployment, describePod, describeService } from './describe';
import { isServingPod, podPortFor, serviceSelector } from './forward-target';
import { kubeStreamOpener } from './kube-stream';
import { LogStream, type LogStreamDeps } from './log-stream';
import { toObjectEvents } from './object-events';
import { selectorQuery, sortPods, toPodSummary } from './pod-summary';
import { FORWARD_ADDRESS, PortForwarder, type ForwardSocketFactory } from './port-forward';
import type { RawDeployment, RawEvent, RawList, RawPod, RawService } from './raw-kube';

export interface PodsServiceOptions {
  provider: KubeConfigProvider;
  /** Batching and flow control of log streams (tests make them small). */
  logs?: Pick<LogStreamDeps, 'batchDelayMs' | 'batchMaxLines' | 'highWatermark' | 'lowWatermark'>;
  forwardSocketFactory?: ForwardSocketFactory;
}

interface Forward {
  info: ForwardInfo;
  forwarder: PortForwarder;
}

const enc = encodeURIComponent;

export class PodsService implements PodsContract {
  private readonly logsEmitter = new Emitter<LogBatch>();
  private readonly endEmitter = new Emitter<LogStreamEnd>();
  private readonly forwardsEmitter = new Emitter<ForwardInfo[]>();
  readonly onDidLogs: Event<LogBatch> = this.logsEmitter.event;
  readonly onDidEndLogs: Event<LogStreamEnd> = this.endEmitter.event;
  readonly onDidChangeForwards: Event<ForwardInfo[]> = this.forwardsEmitter.event;

  private readonly streams = new Map<string, LogStream>();
  private readonly forwards = new Map<string, Forward>();
  private disposed = false;

  constructor(private readonly options: PodsServiceOptions) {}

  async listPods(query: PodQuery): Promise<PodSummary[]> {
    const { api } = await this.connect(query.context);
    const base = query.namespace ? `/api/v1/namespaces/${enc(query.namespace)}/pods` : '/api/v1/pods';
    let path = base;
    if (query.deployment !== undefined && query.namespace !== undefined) {
      const deployment = await this.get<RawDeployment>(
        api,
        `/apis/apps/v1/namespaces/${enc(query.namespace)}/deployments/${enc(query.deployment)}`,
        {
          kind: 'Deployment',
          namespace: query.namespace,
          name: query.deployment,
          context: query.context,
        },
      );
      const selector = selectorQuery(deployment.spec?.selector);
      if (!selector) return [];
      path = `${base}?${new URLSearchParams({ labelSelector: selector }).toString()}`;
    }
    const list = await this.get<RawList<RawPod>>(api, path);
    return sortPods((list.items ?? []).map(toPodSummary));
  }

  async startLogs(source: LogSource, options: LogOptions): Promise<LogStreamInfo> {
    this.ensureRunning();
    const config = await this.kubeConfig(source.context);
    const id = randomUUID();
    const stream = new LogStream(id, source, options, {
      ...this.options.logs,
      api: createKubeApi(config),
      openStream: kubeStreamOpener(config),
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
    if (this.disposed) {
      await forwarder.close();
      throw new AppError('CANCELLED', 'Nestlab is shutting down.');
    }
    const info: ForwardInfo = {
      id,
      request,
      pod,
      podPort,
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
    const forwards = [...this.forwards.values()];
    this.forwards.clear();
    await Promise.all(forwards.map((forward) => forward.forwarder.close()));
    this.logsEmitter.dispose();
    this.endEmitter.dispose();
    this.forwardsEmitter.dispose();
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

  private updateForward(id: string, patch: Partial<ForwardInfo>): void {
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

  private async connect(context: string): Promise<{ api: KubeApi; config: KubeConfig }> {
    const config = await this.kubeConfig(context);
    return { api: createKubeApi(config), config };
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
