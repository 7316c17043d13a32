import type { GraphStatus } from './graph-types';

const symbols: Record<GraphStatus['tone'], string> = { ok: '✓', warning: '!', error: '✕', unknown: '?' };

/** A status in words with an icon; the colour only repeats what the words say. */
export function StatusBadge({ status }: { status: GraphStatus }) {
  return (
    <span className={`topology-status topology-status-${status.tone}`}>
      <span aria-hidden="true" className="topology-status-symbol">
        {symbols[status.tone]}
      </span>
      {status.text}
    </span>
  );
}
