/** What the Topology toolbar and banners say about the watch of a context, in words. */
import type { KindWatchStatus, TopologyKind, TopologyStatus } from '../../../shared/contract';

const stateWords = { starting: 'Reading the cluster…', ready: 'Live', degraded: 'Reconnecting', stopped: 'Stopped' } as const;

const kindWords: Record<TopologyKind, string> = {
  Node: 'nodes',
  Pod: 'pods',
  Deployment: 'deployments',
  ReplicaSet: 'replica sets',
  StatefulSet: 'stateful sets',
  DaemonSet: 'daemon sets',
  Job: 'jobs',
  Service: 'services',
  EndpointSlice: 'endpoint slices',
  Ingress: 'ingresses',
  Gateway: 'gateways',
  HTTPRoute: 'HTTP routes',
};

/** Past this many kinds still listing, the toolbar says "Reading the cluster…" rather than a list of them. */
const NAMED_AT_MOST = 3;

/**
 * The toolbar's word for the watch. While it starts and a few kinds are still being listed (the
 * pods of a large cluster take tens of seconds, and the map shows the rest before them), it names
 * them, with the objects read so far once a page has come: "Listing pods (34,000 so far)…".
 * Listed but not drawn yet (`drawn` false: the snapshot is on its way to the page), the map is
 * being loaded rather than live.
 */
export function describeState(status: TopologyStatus, drawn = true): string {
  if (status.state === 'ready' && !drawn) return 'Loading the map…';
  if (status.state !== 'starting') return stateWords[status.state];
  const listing = status.kinds
    .filter((kind) => kind.state === 'listing')
    .map((kind) => (kind.listed ? `${kindWords[kind.kind]} (${kind.listed.toLocaleString('en-US')} so far)` : kindWords[kind.kind]));
  if (listing.length === 0 || listing.length > NAMED_AT_MOST || listing.length === status.kinds.length) return stateWords.starting;
  const names = listing.length === 1 ? listing[0] : `${listing.slice(0, -1).join(', ')} and ${listing.at(-1)}`;
  return `Listing ${names}…`;
}

/** Kinds in trouble, those with the same error named together: "Pod, Service: refused (…)". */
export function describeTroubled(kinds: readonly KindWatchStatus[]): string {
  const byMessage = new Map<string, string[]>();
  for (const kind of kinds) {
    const message = kind.error?.message ?? kind.state;
    byMessage.set(message, [...(byMessage.get(message) ?? []), kind.kind]);
  }
  return [...byMessage.entries()].map(([message, names]) => `${names.join(', ')}: ${message}`).join('; ');
}
