import { useMemo, useState } from 'react';
import { entryPreviewCount, previewEntries } from './long-text';
import { LongText } from './LongText';
import './long-text.css';

/**
 * Labels or annotations as `key=value` lines: the first few, long values cut, and a toggle for
 * the rest (an object can carry 10,000 labels or a 256 KB annotation).
 */
export function KeyValueList({
  title,
  values,
  heading: Heading = 'h4',
}: {
  title: string;
  values: Record<string, string>;
  heading?: 'h3' | 'h4';
}) {
  const entries = useMemo(() => Object.entries(values), [values]);
  const [expanded, setExpanded] = useState(false);
  if (entries.length === 0) return null;
  const { shown, hidden } = previewEntries(entries, expanded);
  const noun = title.toLowerCase();
  return (
    <section aria-label={title}>
      <Heading>
        {title}
        {entries.length > entryPreviewCount ? ` (${entries.length.toLocaleString()})` : ''}
      </Heading>
      <ul className="key-values">
        {shown.map(([key, value]) => (
          <li key={key}>
            <code>
              {key}=<LongText text={value} />
            </code>
          </li>
        ))}
      </ul>
      {hidden > 0 && (
        <button type="button" className="long-text-toggle" onClick={() => setExpanded(true)}>
          Show all {entries.length.toLocaleString()} {noun}
        </button>
      )}
      {expanded && entries.length > entryPreviewCount && (
        <button type="button" className="long-text-toggle" onClick={() => setExpanded(false)}>
          Show the first {entryPreviewCount} {noun}
        </button>
      )}
    </section>
  );
}
