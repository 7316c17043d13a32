import { memo, type ReactNode } from 'react';
import { isOpenableLink } from '../terminals/links';
import { cssStyle, findLinks, parseAnsi } from './ansi';
import { highlightParts } from './age';
import { podColour, type LogEntry } from './log-session';

/** Asks before a log line's link opens (only http and https are ever links). */
function openLink(url: string): void {
  if (isOpenableLink(url) && window.confirm(`Open this link from the log in your browser?\n\n${url}`)) {
    window.open(url, '_blank', 'noopener,noreferrer');
  }
}

function highlighted(text: string, query: string, keyPrefix: string): ReactNode[] {
  return highlightParts(text, query).map((part, index) =>
    part.match ? <mark key={`${keyPrefix}-${index}`}>{part.text}</mark> : part.text,
  );
}

export interface LogRowProps {
  entry: LogEntry;
  showTimestamp: boolean;
  showPod: boolean;
  query: string;
  current: boolean;
}

/**
 * One line of a log. Its text goes through the ANSI parser into React text nodes and style
 * objects: markup in a log line stays text. http(s) addresses become links that ask first.
 */
export const LogRow = memo(function LogRow({ entry, showTimestamp, showPod, query, current }: LogRowProps) {
  const className = ['log-row', entry.notice ? 'log-row-notice' : '', current ? 'log-row-current' : ''].filter(Boolean).join(' ');
  return (
    <div className={className} data-index={entry.index}>
      {showTimestamp && entry.timestamp && <span className="log-timestamp">{entry.timestamp.replace(/(\.\d{3})\d*Z$/, '$1Z')} </span>}
      {showPod && (
        <span className="log-pod" style={{ color: podColour(entry.colour) }}>
          {entry.pod}{' '}
        </span>
      )}
      {parseAnsi(entry.text).map((span, spanIndex) => (
        <span key={spanIndex} style={cssStyle(span.style)}>
          {findLinks(span.text).map((part, partIndex) =>
            part.url ? (
              <a
                key={partIndex}
                href={part.url}
                rel="noopener noreferrer"
                onClick={(event) => {
                  event.preventDefault();
                  openLink(part.url!);
                }}
              >
                {highlighted(part.text, query, `${spanIndex}-${partIndex}`)}
              </a>
            ) : (
              highlighted(part.text, query, `${spanIndex}-${partIndex}`)
            ),
          )}
        </span>
      ))}
    </div>
  );
});
