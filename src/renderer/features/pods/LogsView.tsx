import { useCallback, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Banner } from '../../components/Banner';
import { useAppStore } from '../../store/store-context';
import { LogRow } from './LogRow';
import { podColour, type LogSession } from './log-session';

/** Every row is one line high (no wrapping), so the list knows each row's place without measuring. */
export const LOG_ROW_HEIGHT = 18;
/** Rows drawn above and below the visible ones, so a fast scroll does not show blanks. */
const OVERSCAN = 10;

const noSubscription = () => () => undefined;

/** Follows the session's changes (at most once a frame). */
function useSessionVersion(session: LogSession | undefined): number {
  return useSyncExternalStore(session?.subscribe ?? noSubscription, session?.getVersion ?? (() => 0));
}

function downloadText(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/**
 * Logs of a pod or a Deployment: a virtualised list (only the visible rows are in the DOM) over
 * a ring of up to 100,000 lines, with follow, pause, search, timestamps, the previous container
 * and a download.
 */
export function LogsView() {
  const view = useAppStore((state) => state.logView);
  const session = useAppStore((state) => state.logSession());
  const { setLogOptions, retryLogs, closeLogs } = useAppStore(
    useShallow((state) => ({ setLogOptions: state.setLogOptions, retryLogs: state.retryLogs, closeLogs: state.closeLogs })),
  );
  useSessionVersion(session);
  const scroller = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const [timestamps, setTimestamps] = useState(false);
  const [query, setQuery] = useState('');
  /** How far the view is scrolled up from the newest line, in pixels (0 while following). */
  const [fromEnd, setFromEnd] = useState(0);
  const [height, setHeight] = useState(400);
  const lastEndIndex = useRef(0);
  const programmaticScroll = useRef(false);

  const open = view !== undefined;
  const lineCount = session?.buffer.length ?? 0;
  const endIndex = session?.buffer.endIndex ?? 0;
  const merged = view?.source.kind === 'deployment';

  /**
   * The list scrolls from its end (column-reverse): while following, new lines appear at the
   * bottom with no scroll write and no forced layout. Scrolled up, the view keeps showing the
   * same lines as new ones arrive below.
   */
  const scrollFromEnd = (pixels: number) => {
    const element = scroller.current;
    if (!element) return;
    programmaticScroll.current = true;
    element.scrollTop = -pixels;
    setFromEnd(pixels);
  };

  useLayoutEffect(() => {
    const added = endIndex - lastEndIndex.current;
    lastEndIndex.current = endIndex;
    if (!follow && added > 0 && fromEnd > 0) scrollFromEnd(fromEnd + added * LOG_ROW_HEIGHT);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs when lines arrive; fromEnd is read, not followed
  }, [endIndex, follow]);

  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    setHeight(element.clientHeight);
    return () => observer.disconnect();
  }, [open]);

  const onScroll = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    if (programmaticScroll.current) {
      programmaticScroll.current = false;
      return;
    }
    const distance = Math.max(0, -element.scrollTop);
    setFromEnd(distance);
    // Scrolling up stops following; scrolling back to the end starts it again.
    setFollow(distance < LOG_ROW_HEIGHT);
  }, []);

  const setFollowing = (on: boolean) => {
    setFollow(on);
    if (on) scrollFromEnd(0);
  };

  const scrollToIndex = (index: number | undefined) => {
    if (index === undefined || !session) return;
    setFollow(false);
    const viewportTop = (index - session.buffer.firstIndex) * LOG_ROW_HEIGHT - height / 2;
    scrollFromEnd(Math.max(0, lineCount * LOG_ROW_HEIGHT - height - viewportTop));
  };

  if (!view) return null;
  const title =
    view.source.kind === 'deployment'
      ? `Deployment ${view.source.namespace}/${view.source.name}`
      : `${view.source.namespace}/${view.source.name}${view.source.container ? ` (${view.source.container})` : ''}`;
  const top = Math.max(0, lineCount * LOG_ROW_HEIGHT - height - (follow ? 0 : fromEnd));
  const first = Math.max(0, Math.floor(top / LOG_ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(lineCount, Math.ceil((top + height) / LOG_ROW_HEIGHT) + OVERSCAN);
  const currentIndex = session && session.currentMatch >= 0 ? session.matches[session.currentMatch] : undefined;
  const rows = session ? session.buffer.slice(first, last) : [];
  const held = session?.heldCount ?? 0;

  return (
    <section className="logs-view" aria-label={`Logs of ${title}`}>
      <header className="logs-header">
        <h2>Logs · {title}</h2>
        <span className="muted" data-testid="log-status">
          {view.phase === 'starting' && 'Connecting…'}
          {view.phase === 'streaming' && (view.options.follow ? 'Following' : 'Reading')}
          {view.phase === 'ended' && !view.error && 'End of log'}
          {view.phase === 'ended' && view.error && 'Disconnected'}
          {view.phase === 'failed' && 'Could not open'}
          {` · ${lineCount.toLocaleString('en')} lines`}
        </span>
        <button type="button" className="button button-quiet" onClick={() => void closeLogs()}>
          Close logs
        </button>
      </header>
      {view.error && (
        <Banner tone="error">
          {view.error.message}{' '}
          <button type="button" className="button" onClick={() => void retryLogs()}>
            Retry
          </button>
        </Banner>
      )}
      {merged && view.sources.length > 0 && (
        <ul className="log-legend" aria-label="Pods in this log">
          {view.sources.map((source) => (
            <li key={`${source.pod}/${source.container}`} style={{ color: podColour(source.colour) }}>
              {source.pod}
            </li>
          ))}
        </ul>
      )}
      <div className="logs-toolbar" role="toolbar" aria-label="Log controls">
        <button type="button" className="button" aria-pressed={follow} onClick={() => setFollowing(!follow)}>
          Follow
        </button>
        <button
          type="button"
          className="button"
          aria-pressed={session?.paused ?? false}
          onClick={() => session?.setPaused(!session.paused)}
        >
          {session?.paused ? `Resume${held > 0 ? ` (${held.toLocaleString('en')} new)` : ''}` : 'Pause'}
        </button>
        <label className="checkbox">
          <input type="checkbox" checked={timestamps} onChange={(event) => setTimestamps(event.target.checked)} /> Timestamps
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={view.options.previous ?? false}
            onChange={(event) => void setLogOptions({ previous: event.target.checked })}
          />{' '}
          Previous container
        </label>
        <div role="search" className="logs-search">
          <input
            type="search"
            aria-label="Search the log"
            placeholder="Search"
            value={query}
            onChange={(event) => {
              setQuery(event.target.value);
              session?.setQuery(event.target.value);
            }}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                scrollToIndex(session?.step(event.shiftKey ? -1 : 1));
              }
            }}
          />
          <span className="muted" aria-live="polite" data-testid="log-matches">
            {query ? `${session && session.currentMatch >= 0 ? session.currentMatch + 1 : 0} of ${session?.matches.length ?? 0}` : ''}
          </span>
          <button type="button" className="button" disabled={!session?.matches.length} onClick={() => scrollToIndex(session?.step(-1))}>
            Previous match
          </button>
          <button type="button" className="button" disabled={!session?.matches.length} onClick={() => scrollToIndex(session?.step(1))}>
            Next match
          </button>
        </div>
        <button
          type="button"
          className="button"
          disabled={lineCount === 0}
          onClick={() => session && downloadText(session.toText({ timestamps, podPrefix: merged }), `${view.source.name}.log`)}
        >
          Download
        </button>
      </div>
      <div ref={scroller} className="log-lines" role="log" aria-label="Log lines" tabIndex={0} onScroll={onScroll} data-testid="log-lines">
        <div className="log-spacer" style={{ height: lineCount * LOG_ROW_HEIGHT }}>
          {/* Rows flow inside one moved block: a row's props stay the same as lines scroll, so memo skips it. */}
          <div className="log-window" style={{ transform: `translateY(${first * LOG_ROW_HEIGHT}px)` }}>
            {rows.map((entry) => (
              <LogRow
                key={entry.index}
                entry={entry}
                showTimestamp={timestamps}
                showPod={merged}
                query={query}
                current={entry.index === currentIndex}
              />
            ))}
          </div>
        </div>
      </div>
    </section>
  );
}
