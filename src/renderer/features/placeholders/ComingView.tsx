import { EmptyState } from '../../components/EmptyState';
import type { ViewDescription } from '../../app/view-catalog';

/** The empty state of a view that is not built yet: what it will do. */
export function ComingView({ view }: { view: ViewDescription }) {
  if (!view.coming) return null;
  return (
    <EmptyState icon={view.icon} title={view.coming.title}>
      <ul className="empty-state-points">
        {view.coming.points.map((point) => (
          <li key={point}>{point}</li>
        ))}
      </ul>
      {view.coming.hint && <p className="empty-state-hint">{withCode(view.coming.hint)}</p>}
    </EmptyState>
  );
}

/** Renders `backticked` parts of a hint as code. */
function withCode(text: string) {
  return text.split('`').map((part, index) => (index % 2 === 1 ? <code key={index}>{part}</code> : part));
}
