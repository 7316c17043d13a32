/**
 * The pods a log stream reads: the pod itself, or a Deployment's pods found by its selector and,
 * while following, watched so a scale-up or a rollout joins the stream (the shared loop resumes,
 * relists after a 410 and backs off after a refusal). And what a dropped connection says.
 */
import type { LogSource } from '../../shared/contract/pods';
import { AppError } from '../../shared/errors';
import type { KubeApi } from '../kube/kube-api';
import { toAppError } from '../kube/kube-errors';
import { ListWatch } from '../kube/list-watch';
import type { Backoff } from '../platform/backoff';
import { podsPath } from './container-log';
import { selectorQuery } from './pod-summary';
import type { RawDeployment, RawList, RawPod } from '../kube/raw-types';

/** A source's pods, oldest first; for a Deployment, its selector and the list's version to watch from. */
export interface LogPods {
  items: RawPod[];
  resourceVersion?: string;
  selector?: string;
}

/** The pod, or the Deployment's pods; NOT_FOUND names the kind and context when the object does not exist. */
export async function findLogPods(api: KubeApi, source: LogSource): Promise<LogPods> {
  const { namespace, name } = source;
  try {
    if (source.kind === 'pod') {
      return { items: [await api.getJson<RawPod>(`${podsPath(namespace)}/${encodeURIComponent(name)}`, 15_000)] };
    }
    const deployment = await api.getJson<RawDeployment>(
      `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(name)}`,
      15_000,
    );
    const selector = selectorQuery(deployment.spec?.selector);
    if (!selector) throw new AppError('INVALID_INPUT', `Deployment ${namespace}/${name} has no selector to find its pods by.`);
    const list = await api.getJson<RawList<RawPod> & { metadata?: { resourceVersion?: string } }>(
      `${podsPath(namespace)}?${new URLSearchParams({ labelSelector: selector }).toString()}`,
      15_000,
    );
    const items = (list.items ?? []).sort((a, b) =>
      (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''),
    );
    return list.metadata?.resourceVersion ? { items, selector, resourceVersion: list.metadata.resourceVersion } : { items, selector };
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code === 'NOT_FOUND') {
      const kind = source.kind === 'deployment' ? 'Deployment' : 'Pod';
      throw new AppError('NOT_FOUND', `${kind} ${namespace}/${name} does not exist in context ${source.context}.`, {
        kind,
        namespace,
        name,
      });
    }
    throw appError;
  }
}

export interface PodWatchOptions {
  namespace: string;
  selector: string;
  resourceVersion: string | undefined;
  backoff: Backoff;
  /** A pod listed or changed. */
  onPod: (pod: RawPod) => void;
  /** The watch's connection was lost (UNREACHABLE). */
  onLost: (error: AppError) => void;
}

/** Watches a Deployment's pods from the list's version; `stop` ends it. */
export function watchLogPods(api: KubeApi, options: PodWatchOptions): ListWatch<RawPod, RawPod> {
  const watch = new ListWatch<RawPod, RawPod>(
    api,
    {
      replace: (pods) => pods.forEach(options.onPod),
      upsert: options.onPod,
      remove: () => undefined,
      status: ({ error }) => {
        if (error?.code === 'UNREACHABLE') options.onLost(error);
      },
    },
    {
      path: podsPath(options.namespace),
      query: { labelSelector: options.selector },
      decode: (pod) => pod,
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
      backoff: options.backoff,
    },
  );
  watch.start();
  return watch;
}

/** What a failure says without its fix (the diagnosis keeps them apart), for a sentence of our own. */
export function causeOf(error: AppError): string {
  const cause = error.details?.cause;
  return (typeof cause === 'string' ? cause : error.message).replace(/\.$/, '');
}

/** The message of a stream the API server dropped: what happened, that lines are kept, and what Retry does. */
export function connectionLostError(what: string, cause: string): AppError {
  return new AppError(
    'UNREACHABLE',
    `Lost the connection to the API server while following ${what} (${cause}); the API server may have restarted. ` +
      'The lines received so far are kept. Retry reconnects and continues after the last line.',
  );
}
