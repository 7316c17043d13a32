/**
 * What the apps service asks of an API server, all from src/main/kube: requests (with its error
 * mapping and credential refresh), discovery (kinds, object paths, the server version) and
 * server-side apply, under the field manager "nestlab".
 */
import { FIELD_MANAGER } from '../../shared/contract/apps';
import { AppError } from '../../shared/errors';
import { ApiDiscovery, type ObjectRef, type ResourceInfo, type ServerVersion } from '../kube/discovery';
import type { JsonRequestOptions, KubeApi } from '../kube/kube-api';
import { serverSideApply } from '../kube/server-side-apply';
import type { KubeObject } from './yaml-documents';

export interface KubeClient {
  request<T>(method: string, path: string, options?: Pick<JsonRequestOptions, 'body' | 'contentType' | 'query'>): Promise<T>;
  /** GET, or undefined on 404. */
  get<T>(path: string): Promise<T | undefined>;
  /** Plural and scope of a kind; NOT_FOUND when the server does not offer it. */
  resource(apiVersion: string, kind: string): Promise<ResourceInfo>;
  /** The API path of an object (namespace already set on namespaced objects); an empty name gives its collection. */
  objectPath(object: ObjectRef): Promise<string>;
  /** The server's major.minor from /version (asked once); undefined when it does not say. */
  serverVersion(): Promise<ServerVersion | undefined>;
  /** Server-side apply under the field manager "nestlab". */
  apply(object: KubeObject, options: { dryRun: boolean; force: boolean }): Promise<KubeObject>;
  /** The API access underneath (watches go through kube/list-watch.ts). */
  readonly api: KubeApi;
}

export function createKubeClient(api: KubeApi): KubeClient {
  const discovery = new ApiDiscovery(api);
  const client: KubeClient = {
    api,
    request: (method, path, options = {}) => api.request(method, path, options),
    async get<T>(path: string): Promise<T | undefined> {
      try {
        return await api.request<T>('GET', path);
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
        throw error;
      }
    },
    resource: (apiVersion, kind) => discovery.resource(apiVersion, kind),
    objectPath: (object) => discovery.objectPath(object),
    serverVersion: () => discovery.serverVersion(),
    apply: (object, options) => serverSideApply(api, discovery, object, { fieldManager: FIELD_MANAGER, ...options }),
  };
  return client;
}
