import { useState } from 'react';
import { ErrorBoundary } from '../../app/ErrorBoundary';
import { TerminalsView } from './TerminalsView';

/**
 * Keeps the terminals mounted (hidden) while another view shows, once they were first opened:
 * xterm's screen and scrollback live in the DOM, and a hidden pane still acknowledges output, so
 * a busy shell is not paused just because the user looked at another view.
 */
export function PersistentTerminals({ visible }: { visible: boolean }) {
  const [visited, setVisited] = useState(visible);
  if (visible && !visited) setVisited(true);
  if (!visited) return null;
  return (
    <div hidden={!visible} className="terminals-host">
      <ErrorBoundary resetKey="terminals">
        <TerminalsView />
      </ErrorBoundary>
    </div>
  );
}
