import type { ObjectEvent } from '../../shared/contract/pods';
import type { RawEvent } from './raw-types';
import { compareTimestamps } from './timestamps';

/** At most this many events are returned (the newest). */
export const MAX_EVENTS = 200;

/**
 * core/v1 Events as the Pods and Topology panels show them: newest first, at most `max`, each
 * counted as its series is (a recurring event's count is series.count since events.k8s.io),
 * with the reporting component.
 */
export function toObjectEvents(raw: RawEvent[], max = MAX_EVENTS): ObjectEvent[] {
  return raw
    .map((event) => {
      const out: ObjectEvent = {
        type: event.type ?? 'Normal',
        reason: event.reason ?? '',
        message: (event.message ?? '').trim(),
        count: event.series?.count ?? event.count ?? 1,
      };
      const lastSeen = event.series?.lastObservedTime ?? event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp;
      const firstSeen = event.firstTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp;
      if (lastSeen) out.lastSeen = lastSeen;
      if (firstSeen) out.firstSeen = firstSeen;
      const component = event.source?.component ?? event.reportingComponent;
      if (component) out.source = event.source?.host ? `${component}, ${event.source.host}` : component;
      return out;
    })
    .sort((a, b) => compareTimestamps(b.lastSeen ?? '0000-00-00T00:00:00Z', a.lastSeen ?? '0000-00-00T00:00:00Z'))
    .slice(0, max);
}
