import type { ObjectEvent } from '../../shared/contract/pods';
import { compareTimestamps } from './log-lines';
import type { RawEvent } from './raw-kube';

/** At most this many events are returned (the newest). */
export const MAX_EVENTS = 200;

/** core/v1 Events as the panel shows them: newest first, with counts and the reporting component. */
export function toObjectEvents(raw: RawEvent[]): ObjectEvent[] {
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
    .slice(0, MAX_EVENTS);
}
