/**
 * What an API server offers, asked through the shared client: the group versions (/apis), a
 * kind's plural and scope in a group version (cached per group version: one request for a
 * 2,000-object apply), an object's path, and the server's version (asked once). Servers differ:
 * a 1.20 server has EndpointSlices only as discovery.k8s.io/v1beta1, later ones as v1, and CRDs
 * exist only where installed, so callers discover rather than assume.
 */
import { AppError } from '../../shared/errors';
import type { KubeApi } from './kube-api';

/** The /apis answer (APIGroupList), only what is read. */
export interface ApiGroupList {
  groups?: { name?: string; versions?: { version?: string }[] }[];
}

/** A kind's resource in one group version. */
export interface ResourceInfo {
  plural: string;
  namespaced: boolean;
}

/** Names an object (the namespace is ignored for cluster-scoped kinds; namespaced ones default to "default"). */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** A server version from /version, as numbers. */
export interface ServerVersion {
  major: number;
  minor: number;
}

/** What /version says of a server; what it does not say is absent. */
export interface ServerVersionInfo {
  gitVersion?: string;
  platform?: string;
  /** major.minor, when both are numbers. */
  version?: ServerVersion;
}

interface ApiResource {
  kind: string;
  name: string;
  namespaced: boolean;
}

/** Reads /version's major and minor ("1", "20+"); undefined when they are not numbers. */
export function parseServerVersion(answer: { major?: unknown; minor?: unknown }): ServerVersion | undefined {
  const read = (value: unknown) => (typeof value === 'string' ? Number.parseInt(value, 10) : Number.NaN);
  const major = read(answer.major);
  const minor = read(answer.minor);
  return Number.isInteger(major) && Number.isInteger(minor) ? { major, minor } : undefined;
}

/** The path of a group version: /api/v1 for the core group, /apis/<group>/<version> for the others. */
export function apiBase(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

export class ApiDiscovery {
  private readonly resources = new Map<string, Promise<ApiResource[]>>();
  private version: Promise<ServerVersion | undefined> | undefined;

  constructor(private readonly api: KubeApi) {}

  /** The API groups and their versions, asked anew each time (CRDs come and go). */
  groups(timeoutMs = 15_000): Promise<ApiGroupList> {
    return this.api.getJson<ApiGroupList>('/apis', timeoutMs);
  }

  /** Plural and scope of a kind; NOT_FOUND (details apiVersion, kind) when the server does not offer it. */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let list = this.resources.get(apiVersion);
    if (!list) {
      list = this.api.request<{ resources?: ApiResource[] }>('GET', apiBase(apiVersion)).then((answer) => answer.resources ?? []);
      this.resources.set(apiVersion, list);
      // A failure is not kept: the next call asks again.
      list.catch(() => this.resources.delete(apiVersion));
    }
    let resources: ApiResource[];
    try {
      resources = await list;
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') {
        throw new AppError('NOT_FOUND', `The server does not offer ${apiVersion}.`, { apiVersion, kind });
      }
      throw error;
    }
    // Subresources (deployments/scale) name the kind they take too: only the resource itself.
    const found = resources.find((resource) => resource.kind === kind && !resource.name.includes('/'));
    if (!found) throw new AppError('NOT_FOUND', `The server offers no kind ${kind} in ${apiVersion}.`, { apiVersion, kind });
    return { plural: found.name, namespaced: found.namespaced };
  }

  /** The API path of an object; an empty name gives its collection. */
  async objectPath(ref: ObjectRef): Promise<string> {
    const info = await this.resource(ref.apiVersion, ref.kind);
    const scope = info.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace ?? 'default')}` : '';
    const name = ref.name === '' ? '' : `/${encodeURIComponent(ref.name)}`;
    return `${apiBase(ref.apiVersion)}${scope}/${info.plural}${name}`;
  }

  /** GET /version anew (not cached); a failure is the client's diagnosed error. */
  async versionInfo(timeoutMs = 15_000): Promise<ServerVersionInfo> {
    const answer =
      (await this.api.request<{ gitVersion?: unknown; platform?: unknown; major?: unknown; minor?: unknown } | null>('GET', '/version', {
        timeoutMs,
        maxBytes: 64 * 1024,
      })) ?? {};
    const version = parseServerVersion(answer);
    return {
      ...(typeof answer.gitVersion === 'string' ? { gitVersion: answer.gitVersion } : {}),
      ...(typeof answer.platform === 'string' ? { platform: answer.platform } : {}),
      ...(version === undefined ? {} : { version }),
    };
  }

  /** The server's major.minor from /version (asked once); undefined when it does not say or cannot be asked. */
  serverVersion(): Promise<ServerVersion | undefined> {
    this.version ??= this.api.request<{ major?: string; minor?: string }>('GET', '/version').then(parseServerVersion, () => {
      this.version = undefined; // asked again next time
      return undefined;
    });
    return this.version;
  }
}
