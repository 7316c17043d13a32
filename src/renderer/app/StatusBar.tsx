import { useAppStore } from '../store/store-context';
import type { ConnectionState } from '../api/connection-state';

function describe(connection: ConnectionState): { tone: 'ok' | 'busy' | 'bad'; text: string } {
  switch (connection.status) {
    case 'connected':
      return { tone: 'ok', text: connection.transport === 'ipc' ? 'Connected to main process' : 'Connected to Nestlab server' };
    case 'connecting':
      return { tone: 'busy', text: 'Connecting…' };
    case 'reconnecting':
      return {
        tone: 'busy',
        text: `Connection lost; retrying in ${Math.ceil(connection.retryInMs / 1000)} s (attempt ${connection.attempt})`,
      };
    case 'refused':
      return { tone: 'bad', text: 'Refused by Nestlab server' };
  }
}

export function StatusBar() {
  const connection = useAppStore((state) => state.connection);
  const info = useAppStore((state) => state.systemInfo);
  const { tone, text } = describe(connection);
  return (
    <footer className="status-bar">
      <span className={`status-dot status-${tone}`} aria-hidden="true" />
      <span role="status" data-testid="connection-status">
        {text}
      </span>
      <span className="status-spacer" />
      {info && (
        <>
          <span data-testid="status-kubectl" title={info.kubectl.available ? info.kubectl.path : info.kubectl.reason}>
            {info.kubectl.available ? `kubectl ${info.kubectl.version}` : 'kubectl not found'}
          </span>
          <span>{info.mode === 'electron' ? 'Desktop' : 'Browser mode'}</span>
          <span>
            {info.appName} {info.appVersion}
          </span>
        </>
      )}
    </footer>
  );
}
