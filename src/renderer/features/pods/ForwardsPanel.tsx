import { useAppStore } from '../../store/store-context';

/** Port-forwards Nestlab holds open: where each goes, its local address, and Stop. */
export function ForwardsPanel() {
  const forwards = useAppStore((state) => state.forwards);
  const stopForward = useAppStore((state) => state.stopForward);
  if (forwards.length === 0) return null;
  return (
    <section className="card pods-panel" aria-labelledby="forwards-heading">
      <h2 id="forwards-heading">Port-forwards</h2>
      <p className="muted">
        Each listens on 127.0.0.1 only and closes when you stop it or quit Nestlab. A port-forward goes through the API server; an SSH
        tunnel goes through the lab host to an address of its lab network.
      </p>
      <ul className="forwards-list">
        {forwards.map((forward) => (
          <li key={forward.id} data-forward={forward.request.name}>
            <span>
              {forward.request.kind === 'service' ? 'Service' : 'Pod'} {forward.request.namespace}/{forward.request.name}:
              {forward.request.remotePort}
              {forward.via === 'lab-host'
                ? ` (SSH tunnel through lab host ${forward.host.name} to ${forward.address}:${forward.port})`
                : forward.request.kind === 'service'
                  ? ` (pod ${forward.pod}:${forward.podPort})`
                  : ''}{' '}
              →{' '}
            </span>
            <a href={forward.url} target="_blank" rel="noopener noreferrer" data-testid="forward-url">
              {forward.url}
            </a>
            <span className="muted">
              {' '}
              · {forward.connections} connection{forward.connections === 1 ? '' : 's'}
            </span>
            {forward.lastError && <span className="field-error"> {forward.lastError.message}</span>}
            <button type="button" className="button" onClick={() => void stopForward(forward.id)}>
              Stop
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
