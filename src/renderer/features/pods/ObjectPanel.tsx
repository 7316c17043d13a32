import { useAppStore } from '../../store/store-context';
import { DescriptionDetails } from './DescribePanel';
import { EventsTable } from './EventsPanel';

/** The events or describe panel of the object the user asked about. */
export function ObjectPanel() {
  const panel = useAppStore((state) => state.podPanel);
  const close = useAppStore((state) => state.closePodPanel);
  if (!panel) return null;
  const what = `${panel.ref.kind} ${panel.ref.namespace ? `${panel.ref.namespace}/` : ''}${panel.ref.name}`;
  const title = panel.kind === 'events' ? `Events · ${what}` : `Details · ${what}`;
  return (
    <section className="card pods-panel" aria-label={title}>
      <header className="card-header">
        <h2>{title}</h2>
        <button type="button" className="button button-quiet" onClick={close}>
          Close
        </button>
      </header>
      {panel.state === 'loading' && <p className="muted">Loading…</p>}
      {panel.state === 'failed' && <p role="alert">{panel.error.message}</p>}
      {panel.state === 'loaded' && panel.kind === 'events' && <EventsTable events={panel.events} now={panel.loadedAt} />}
      {panel.state === 'loaded' && panel.kind === 'describe' && <DescriptionDetails description={panel.description} now={Date.now()} />}
    </section>
  );
}
