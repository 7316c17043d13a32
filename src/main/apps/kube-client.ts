/**
 * What the apps service asks of an API server, on top of src/main/kube (its requests, watches,
 * error mapping and credential refresh): discovery of a kind's plural and scope, object paths,
 * the server's version, and server-side apply under the field manager "nestlab".
 */
import { FIELD_MANAGER } from '../../shared/contract/apps';
import { AppError } from '../../shared/errors';
import type { JsonRequestOptions, KubeApi, WatchEvent, WatchHandle } from '../kube/kube-api';
import { parseServerVersion, type ServerVersion } from './old-server-defaults';
import type { KubeObject } from './yaml-documents';

export type { WatchEvent, WatchHandle };

export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

export interface KubeClient {
  request<T>(method: string, path: string, options?: Pick<JsonRequestOptions, 'body' | 'contentType' | 'query'>): Promise<T>;
  /** GET, or undefined on 404. */
  get<T>(path: string): Promise<T | undefined>;
  /** Plural and scope of a kind; NOT_FOUND when the server does not offer it. */
  resource(apiVersion: string, kind: string): Promise<ResourceInfo>;
  /** The API path of an object (namespace already set on namespaced objects). */
  objectPath(object: { apiVersion: string; kind: string; name: string; namespace?: string }): Promise<string>;
  /** The server's major.minor from /version (asked once); undefined when it does not say. */
  serverVersion(): Promise<ServerVersion | undefined>;
  /** Server-side apply under the field manager "nestlab". */
  apply(object: KubeObject, options: { dryRun: boolean; force: boolean }): Promise<KubeObject>;
  watch(
    path: string,
    query: Record<string, string>,
    onEvent: (event: WatchEvent) => void,
    done: (error: unknown) => void,
  ): Promise<WatchHandle>;
}

function apiBase(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

export function createKubeClient(api: KubeApi): KubeClient {
  const discovery = new Map<string, Promise<{ kind: string; name: string; namespaced: boolean }[]>>();
  let version: Promise<ServerVersion | undefined> | undefined;

  const client: KubeClient = {
    request<T>(method: string, path: string, options: Pick<JsonRequestOptions, 'body' | 'contentType' | 'query'> = {}): Promise<T> {
      return api.request<T>(method, path, options);
    },

    async get<T>(path: string): Promise<T | undefined> {
      try {
        return await client.request<T>('GET', path);
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }
    },

    async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
      let list = discovery.get(apiVersion);
      if (!list) {
        list = client
          .request<{ resources?: { kind: string; name: string; namespaced: boolean }[] }>('GET', apiBase(apiVersion))
          .then((answer) => answer.resources ?? []);
        discovery.set(apiVersion, list);
        list.catch(() => discovery.delete(apiVersion));
      }
      let resources: { kind: string; name: string; namespaced: boolean }[];
      try {
        resources = await list;
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') {
          throw new AppError('NOT_FOUND', `The server does not offer ${apiVersion}.`, { apiVersion, kind });
        }
        throw error;
      }
      const found = resources.find((resource) => resource.kind === kind && !resource.name.includes('/'));
      if (!found) throw new AppError('NOT_FOUND', `The server offers no kind ${kind} in ${apiVersion}.`, { apiVersion, kind });
      return { plural: found.name, namespaced: found.namespaced };
    },

    serverVersion(): Promise<ServerVersion | undefined> {
      version ??= client.request<{ major?: string; minor?: string }>('GET', '/version').then(parseServerVersion, () => {
        version = undefined; // asked again next time
        return undefined;
      });
      return version;
    },

    async objectPath(object): Promise<string> {
      const info = await client.resource(object.apiVersion, object.kind);
      const scope = info.namespaced ? `/namespaces/${encodeURIComponent(object.namespace ?? 'default')}` : '';
      return `${apiBase(object.apiVersion)}${scope}/${info.plural}/${encodeURIComponent(object.name)}`;
    },

    async apply(object: KubeObject, options: { dryRun: boolean; force: boolean }): Promise<KubeObject> {
      const path = await client.objectPath({ ...object, name: object.metadata.name, namespace: object.metadata.namespace });
      const query: Record<string, string> = { fieldManager: FIELD_MANAGER };
      if (options.dryRun) query.dryRun = 'All';
      if (options.force) query.force = 'true';
      // JSON is YAML: the apply-patch content type accepts it as is.
      return client.request<KubeObject>('PATCH', path, { body: object, contentType: 'application/apply-patch+yaml', query });
    },

    watch(path, query, onEvent, done): Promise<WatchHandle> {
      return api.watch<WatchEvent>(path, query, onEvent, done);
    },
  };
  return client;
}
