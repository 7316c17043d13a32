/**
 * A KubeApi that reads its context's credentials again when the API server refuses them (401):
 * a token rotated or revoked, a kubeconfig re-imported in the Clusters view, a plugin token that
 * expired. client-node cannot do this for us: its ExecAuth / OIDC authenticators refresh tokens per
 * request inside applyToHTTPSOptions, but the clusters service resolves credentials itself (approved
 * plugins, secrets, referenced files) and hands over a KubeConfig with a static token or certificate,
 * so only asking the provider again sees new credentials.
 *
 * One refresh is shared by every caller: the 401s of a dozen kind watchers at once start one provider
 * read, and a 401 from a request made with credentials older than the current ones starts none. When
 * the fresh credentials are refused too, refreshes are spaced by a backoff (reset once a request with
 * the current credentials succeeds), and the error names the context and the fix.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../../shared/errors';
import { Emitter, type Event } from '../../shared/event';
import { Backoff } from '../platform/backoff';
import { createKubeApi, type JsonRequestOptions, type KubeApi, type OpenStream, type WatchHandle } from './kube-api';
import { httpStatusOf } from './kube-errors';
import type { KubeConfigProvider } from './kubeconfig-provider';

export interface RefreshingKubeApiOptions {
  /** The context's name, for error messages. */
  context: string;
  /** Reads the context's KubeConfig (the provider's kubeConfigFor). */
  load: () => Promise<KubeConfig>;
  /** Reads it again after a 401 (e.g. dropping cached plugin credentials first). Default `load`. */
  reload?: () => Promise<KubeConfig>;
  /** Builds the API access from a KubeConfig. Default createKubeApi (with `keepAlive`). */
  create?: (config: KubeConfig) => KubeApi;
  /**
   * Reuse connections for JSON requests (see KubeApiOptions). Default true: a paged list of
   * 30,000 pods is 60 requests, and a TLS handshake for each added a third to its time.
   */
  keepAlive?: boolean;
  /** Spacing of refreshes while fresh credentials keep being refused. Default 1 s doubling to 30 s. */
  backoff?: Backoff;
  now?: () => number;
}

function isUnauthorized(error: unknown): boolean {
  return httpStatusOf(error) === 401 || (error instanceof AppError && error.code === 'UNAUTHORIZED');
}

export class RefreshingKubeApi implements KubeApi {
  private current: KubeApi;
  /** Counts the credentials read: 0 for the first, +1 for each refresh. */
  private generation = 0;
  private refreshing: Promise<void> | undefined;
  private nextRefreshAt = 0;
  /** Why the last refresh failed (the provider's error), until one succeeds. */
  private refreshError: AppError | undefined;
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private readonly create: (config: KubeConfig) => KubeApi;
  private readonly refreshEmitter = new Emitter<void>();
  /** Fires after new credentials were read: requests waiting to retry can go now. */
  readonly onDidRefresh: Event<void> = this.refreshEmitter.event;

  private constructor(
    private readonly options: RefreshingKubeApiOptions,
    config: KubeConfig,
  ) {
    this.create = options.create ?? ((next) => createKubeApi(next, { keepAlive: options.keepAlive ?? true }));
    this.current = this.create(config);
    this.backoff = options.backoff ?? new Backoff(1_000, 30_000);
    this.now = options.now ?? Date.now;
  }

  /** Reads the context's credentials once; the provider's errors (NOT_FOUND, APPROVAL_REQUIRED) reject. */
  static async create(options: RefreshingKubeApiOptions): Promise<RefreshingKubeApi> {
    return new RefreshingKubeApi(options, await options.load());
  }

  /**
   * The API access every service uses for a context: credentials from the provider (Clusters),
   * read again after a 401 with whatever the provider kept for the context forgotten first.
   */
  static forContext(
    provider: Pick<KubeConfigProvider, 'kubeConfigFor' | 'forgetCredentials'>,
    context: string,
    options: Omit<RefreshingKubeApiOptions, 'context' | 'load' | 'reload'> = {},
  ): Promise<RefreshingKubeApi> {
    return RefreshingKubeApi.create({
      ...options,
      context,
      load: () => provider.kubeConfigFor(context),
      reload: () => {
        provider.forgetCredentials?.(context);
        return provider.kubeConfigFor(context);
      },
    });
  }

  /** How many times the credentials were read again. */
  get refreshCount(): number {
    return this.generation;
  }

  get server(): string {
    return this.current.server;
  }

  request<T>(method: string, path: string, options?: JsonRequestOptions): Promise<T> {
    return this.guarded((api) => api.request<T>(method, path, options));
  }

  getJson<T>(path: string, timeoutMs?: number): Promise<T> {
    return this.guarded((api) => api.getJson<T>(path, timeoutMs));
  }

  openStream(path: string, connectTimeoutMs?: number): Promise<OpenStream> {
    return this.guarded((api) => api.openStream(path, connectTimeoutMs));
  }

  /** Runs a call with the current credentials; a 401 starts a refresh, which the caller's retry waits for. */
  private async guarded<T>(call: (api: KubeApi) => Promise<T>): Promise<T> {
    const generation = this.generation;
    try {
      const result = await call(this.current);
      this.succeeded(generation);
      return result;
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      const refused = this.refused(error, generation);
      // The caller's retry should go out with whatever the refresh found.
      await this.refreshing;
      throw refused;
    }
  }

  async watch<E>(
    path: string,
    query: Record<string, string>,
    onEvent: (event: E) => void,
    done: (error: unknown) => void,
  ): Promise<WatchHandle> {
    const generation = this.generation;
    let failed = false;
    const handle = await this.current.watch<E>(path, query, onEvent, (error) => {
      failed = error !== null && error !== undefined;
      // Synchronously: the watcher must not take a refused watch for an established one.
      done(isUnauthorized(error) ? this.refused(error, generation) : error);
    });
    if (!failed) this.succeeded(generation);
    return handle;
  }

  dispose(): void {
    this.refreshEmitter.dispose();
  }

  private succeeded(generation: number): void {
    if (generation !== this.generation) return;
    this.backoff.reset();
    this.nextRefreshAt = 0;
    this.refreshError = undefined;
  }

  /** Starts a refresh when this 401 is news (see the file comment); returns the error to report. */
  private refused(error: unknown, generation: number): AppError {
    const stale = generation !== this.generation;
    if (!stale && !this.refreshing && this.now() >= this.nextRefreshAt) {
      this.nextRefreshAt = this.now() + this.backoff.next();
      this.refreshing = this.refresh().finally(() => (this.refreshing = undefined));
    }
    const context = this.options.context;
    const appError = AppError.from(error);
    const cause = appError.details?.cause;
    const reason = (typeof cause === 'string' ? cause : appError.message).replace(/\.$/, '');
    const fix = `Re-import the kubeconfig of "${context}" in Clusters (or renew the token, certificate or credential plugin it uses).`;
    if (this.refreshError) {
      return new AppError(
        this.refreshError.code,
        `The API server refused the credentials of context "${context}" (${reason}), and reading them again failed: ${this.refreshError.message}`,
        { context, fix },
      );
    }
    const again = this.generation > 0 ? ', also after reading them again from Clusters' : '';
    return new AppError(
      'UNAUTHORIZED',
      `The API server refused the credentials of context "${context}" (${reason})${again}. ${fix} Nestlab keeps retrying.`,
      { context, fix },
    );
  }

  private async refresh(): Promise<void> {
    try {
      this.current = this.create(await (this.options.reload ?? this.options.load)());
      this.refreshError = undefined;
    } catch (error) {
      this.refreshError = AppError.from(error);
      return;
    }
    this.generation += 1;
    this.refreshEmitter.fire();
  }
}
