/**
 * The apps domain: catalog deploys (preflight, then server-side apply under "nestlab" with the
 * instance recorded in a ConfigMap), live status, scale through the scale subresource, uninstall
 * by record and label, and custom YAML (dry run, then apply, object by object: yaml-apply.ts).
 */
import {
  APP_INSTANCE_LABEL,
  FIELD_MANAGER,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  type AppInstanceStatus,
  type AppsService as AppsContract,
  type Catalog,
  type DeployRequest,
  type InstallResult,
  type ObjectRef,
  type PreflightResult,
  type UninstallResult,
  type YamlApplyRequest,
  type YamlApplyResult,
  type YamlProgress,
} from '../../shared/contract/apps';
import type { LabHostRef } from '../../shared/contract/pods';
import { AppError } from '../../shared/errors';
import { Emitter, type Event } from '../../shared/event';
import { cachedProbe, probeTcp, type AddressProbe } from './address-probe';
import { computeStatus, type InstanceRecord } from './app-status';
import type { RawDeployment, RawPod, RawService } from '../kube/raw-types';
import { loadCatalog, type LoadedApp } from './catalog';
import { InstanceFollower } from './instance-follower';
import { toAppError } from '../kube/kube-errors';
import type { KubeConfigProvider } from '../kube/kubeconfig-provider';
import { RefreshingKubeApi } from '../kube/refreshing-kube-api';
import { createKubeClient, type KubeClient } from './kube-client';
import { labelsFor, prepareObject, refOf } from './manifest';
import { runPreflight } from './preflight';
import { runYamlApply } from './yaml-apply';
import type { KubeObject } from './yaml-documents';

/** Where the apps service gets credentials: the clusters service's imported contexts. */
export type AppsKubeConfigProvider = Pick<KubeConfigProvider, 'kubeConfigFor' | 'forgetCredentials'>;

export interface AppsServiceOptions {
  /** resources/catalog: one folder per app. */
  catalogDir: string;
  provider: AppsKubeConfigProvider;
  /** The registry mirror from Settings ('' for none), read at every deploy. */
  registryMirror: () => Promise<string>;
  /** Whether an app's external address answers from this computer (default: a TCP connect, cached). */
  probeAddress?: AddressProbe;
  /** The lab host of a Nestlab lab's context, through which a tunnel reaches its lab network. */
  labHostOf?: (context: string) => Promise<LabHostRef | undefined>;
}

export const RECORD_LABEL = 'nestlab.dev/app-record';
const RECORD_PREFIX = 'nestlab-app-';

interface RecordConfigMap {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  data?: { appId?: string; objects?: string };
}

function recordObject(namespace: string, instance: string, appId: string, objects: ObjectRef[]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${RECORD_PREFIX}${instance}`, namespace, labels: { ...labelsFor(instance), [RECORD_LABEL]: 'true' } },
    data: { appId, objects: JSON.stringify(objects) },
  };
}

function parseRecord(context: string, configMap: RecordConfigMap): InstanceRecord | undefined {
  const instance = configMap.metadata.labels?.[APP_INSTANCE_LABEL];
  if (!instance || !configMap.data?.appId) return undefined;
  let objects: ObjectRef[] = [];
  try {
    const parsed: unknown = JSON.parse(configMap.data.objects ?? '[]');
    if (Array.isArray(parsed)) objects = parsed as ObjectRef[];
  } catch {
    objects = [];
  }
  return { context, namespace: configMap.metadata.namespace, instance, appId: configMap.data.appId, objects };
}

const keyOf = (context: string, namespace: string, instance: string) => JSON.stringify([context, namespace, instance]);

export class AppsService implements AppsContract {
  private catalogLoad: Promise<{ catalog: Catalog; loaded: Map<string, LoadedApp> }> | undefined;
  private readonly followers = new Map<string, InstanceFollower>();
  private readonly statusEmitter = new Emitter<AppInstanceStatus>();
  readonly onDidChangeStatus: Event<AppInstanceStatus> = this.statusEmitter.event;
  private readonly yamlOperations = new Map<string, AbortController>();
  private readonly yamlProgressEmitter = new Emitter<YamlProgress>();
  readonly onDidYamlProgress: Event<YamlProgress> = this.yamlProgressEmitter.event;

  private readonly probeAddress: AddressProbe;

  constructor(private readonly options: AppsServiceOptions) {
    this.probeAddress = options.probeAddress ?? cachedProbe(probeTcp);
  }

  private loadedCatalog() {
    this.catalogLoad ??= loadCatalog(this.options.catalogDir);
    return this.catalogLoad;
  }

  async catalog(): Promise<Catalog> {
    return (await this.loadedCatalog()).catalog;
  }

  /** A context's API access; a follower that runs for hours reads credentials again after a 401. */
  private async client(context: string): Promise<KubeClient> {
    return createKubeClient(await RefreshingKubeApi.forContext(this.options.provider, context));
  }

  private async appOf(appId: string): Promise<LoadedApp> {
    const loaded = (await this.loadedCatalog()).loaded.get(appId);
    if (!loaded) throw new AppError('NOT_FOUND', `The catalog has no app "${appId}".`, { appId });
    return loaded;
  }

  /** The objects of a deploy, ready to send: the record ConfigMap first, then the manifests. */
  private async prepare(client: KubeClient, request: DeployRequest, loaded: LoadedApp): Promise<KubeObject[]> {
    const registryMirror = await this.options.registryMirror();
    const objects: KubeObject[] = [];
    for (const object of loaded.objects) {
      const { namespaced } = await client.resource(object.apiVersion, object.kind);
      objects.push(
        prepareObject(object, { namespace: request.namespace, instance: request.instance, registryMirror, isNamespaced: () => namespaced }),
      );
    }
    return [recordObject(request.namespace, request.instance, request.appId, objects.map(refOf)), ...objects];
  }

  async preflight(request: DeployRequest): Promise<PreflightResult> {
    const loaded = await this.appOf(request.appId);
    const client = await this.client(request.context);
    try {
      const objects = await this.prepare(client, request, loaded);
      return await runPreflight({ client, os: loaded.app.os, namespace: request.namespace, instance: request.instance, objects });
    } catch (error) {
      throw toAppError(error);
    }
  }

  async install(request: DeployRequest): Promise<InstallResult> {
    const loaded = await this.appOf(request.appId);
    const client = await this.client(request.context);
    const objects = await this.prepare(client, request, loaded).catch((error: unknown) => {
      throw toAppError(error);
    });
    const preflight = await runPreflight({ client, os: loaded.app.os, namespace: request.namespace, instance: request.instance, objects });
    if (!preflight.ok) return { status: 'refused', preflight };
    if (preflight.createsNamespace) {
      await client.apply(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: request.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } } },
        { dryRun: false, force: false },
      );
    }
    // The record goes first, so even a deploy that fails half way can be uninstalled.
    // Force: the preflight established that every name is free or already this instance's.
    for (const object of objects) await client.apply(object, { dryRun: false, force: true });
    const app = await this.readStatus(client, await this.readRecord(client, request.context, request.namespace, request.instance));
    return { status: 'installed', app, preflight };
  }

  private async readRecord(client: KubeClient, context: string, namespace: string, instance: string): Promise<InstanceRecord> {
    const configMap = await client.get<RecordConfigMap>(`/api/v1/namespaces/${namespace}/configmaps/${RECORD_PREFIX}${instance}`);
    const record = configMap === undefined ? undefined : parseRecord(context, configMap);
    if (!record || record.instance !== instance) {
      throw new AppError('NOT_FOUND', `No app instance "${instance}" is installed in namespace ${namespace}.`, {
        context,
        namespace,
        instance,
      });
    }
    return record;
  }

  private async readStatus(client: KubeClient, record: InstanceRecord): Promise<AppInstanceStatus> {
    const query = { labelSelector: `${APP_INSTANCE_LABEL}=${record.instance}` };
    const ns = encodeURIComponent(record.namespace);
    const [deployments, pods, services] = await Promise.all([
      client.request<{ items?: RawDeployment[] }>('GET', `/apis/apps/v1/namespaces/${ns}/deployments`, { query }),
      client.request<{ items?: RawPod[] }>('GET', `/api/v1/namespaces/${ns}/pods`, { query }),
      client.request<{ items?: RawService[] }>('GET', `/api/v1/namespaces/${ns}/services`, { query }),
    ]);
    const app = (await this.loadedCatalog()).loaded.get(record.appId)?.app;
    const status = computeStatus(record, app, deployments.items ?? [], pods.items ?? [], services.items ?? []);
    if (status.openUrl === undefined) return status;
    const url = new URL(status.openUrl);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const [openReachable, labHost] = await Promise.all([
      this.probeAddress(url.hostname.replace(/^\[|\]$/g, ''), port),
      this.options.labHostOf?.(record.context).catch(() => undefined),
    ]);
    return { ...status, openReachable, ...(labHost === undefined ? {} : { labHost }) };
  }

  async list(context: string): Promise<AppInstanceStatus[]> {
    const client = await this.client(context);
    const configMaps = await client.request<{ items?: RecordConfigMap[] }>('GET', '/api/v1/configmaps', {
      query: { labelSelector: `${RECORD_LABEL}=true,${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` },
    });
    const records = (configMaps.items ?? []).map((item) => parseRecord(context, item)).filter((r): r is InstanceRecord => r !== undefined);
    return Promise.all(
      records.map((record) =>
        this.readStatus(client, record).catch((error: unknown) => ({
          ...computeStatus(record, undefined, [], [], []),
          error: toAppError(error).toJSON(),
        })),
      ),
    );
  }

  async follow(context: string, namespace: string, instance: string): Promise<AppInstanceStatus> {
    const client = await this.client(context);
    const read = async () => this.readStatus(client, await this.readRecord(client, context, namespace, instance));
    const status = await read();
    const key = keyOf(context, namespace, instance);
    if (!this.followers.has(key)) {
      const follower = new InstanceFollower({ api: client.api, namespace, instance, read, emit: (next) => this.statusEmitter.fire(next) });
      this.followers.set(key, follower);
      follower.start();
    }
    return status;
  }

  unfollow(context: string, namespace: string, instance: string): Promise<void> {
    const key = keyOf(context, namespace, instance);
    this.followers.get(key)?.stop();
    this.followers.delete(key);
    return Promise.resolve();
  }

  async scale(context: string, namespace: string, instance: string, deployment: string, replicas: number): Promise<void> {
    const client = await this.client(context);
    const path = `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(deployment)}`;
    const existing = await client.get<RawDeployment>(path);
    if (!existing || existing.metadata?.labels?.[APP_INSTANCE_LABEL] !== instance) {
      throw new AppError('NOT_FOUND', `Deployment ${namespace}/${deployment} is not part of app instance "${instance}".`, {
        deployment,
        instance,
      });
    }
    await client.request('PATCH', `${path}/scale`, {
      body: { spec: { replicas } },
      contentType: 'application/merge-patch+json',
      query: { fieldManager: FIELD_MANAGER },
    });
  }

  async uninstall(context: string, namespace: string, instance: string): Promise<UninstallResult> {
    const client = await this.client(context);
    const record = await this.readRecord(client, context, namespace, instance);
    await this.unfollow(context, namespace, instance);
    const deleted: ObjectRef[] = [];
    const skipped: ObjectRef[] = [];
    // Both the record and the label must agree: an object that was replaced by someone else's
    // (same name, no longer labelled with this instance) is left alone.
    for (const ref of record.objects) {
      const path = await client.objectPath(ref);
      const current = await client.get<KubeObject>(path);
      if (!current || current.metadata.labels?.[APP_INSTANCE_LABEL] !== instance) {
        skipped.push(ref);
        continue;
      }
      try {
        await client.request('DELETE', path, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
        deleted.push(ref);
      } catch (error) {
        if (toAppError(error).code === 'NOT_FOUND') skipped.push(ref);
        else throw error;
      }
    }
    const recordRef: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', name: `${RECORD_PREFIX}${instance}`, namespace };
    await client.request('DELETE', `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${RECORD_PREFIX}${instance}`);
    deleted.push(recordRef);
    return { deleted, skipped };
  }

  dryRunYaml(request: YamlApplyRequest): Promise<YamlApplyResult> {
    return this.applyDocuments(request, true);
  }

  applyYaml(request: YamlApplyRequest): Promise<YamlApplyResult> {
    return this.applyDocuments(request, false);
  }

  cancelYaml(operationId: string): Promise<void> {
    this.yamlOperations.get(operationId)?.abort();
    return Promise.resolve();
  }

  private async applyDocuments(request: YamlApplyRequest, dryRun: boolean): Promise<YamlApplyResult> {
    const controller = new AbortController();
    const { operationId } = request;
    if (operationId !== undefined) {
      if (this.yamlOperations.has(operationId)) throw new AppError('ALREADY_EXISTS', `Operation ${operationId} is already running.`);
      this.yamlOperations.set(operationId, controller);
    }
    try {
      return await runYamlApply({
        connect: () => this.client(request.context),
        yaml: request.yaml,
        namespace: request.namespace,
        dryRun,
        force: request.force === true,
        createNamespaces: request.createNamespaces ?? [],
        signal: controller.signal,
        onProgress: (progress) => {
          if (operationId !== undefined) this.yamlProgressEmitter.fire({ operationId, dryRun, ...progress });
        },
      });
    } finally {
      if (operationId !== undefined) this.yamlOperations.delete(operationId);
    }
  }

  dispose(): void {
    for (const follower of this.followers.values()) follower.stop();
    this.followers.clear();
    this.statusEmitter.dispose();
    for (const controller of this.yamlOperations.values()) controller.abort();
    this.yamlProgressEmitter.dispose();
  }
}
