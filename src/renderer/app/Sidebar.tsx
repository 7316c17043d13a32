import { useRef, type KeyboardEvent } from 'react';
import { Icon } from '../components/Icon';
import { useAppStore } from '../store/store-context';
import { viewIds } from '../store/views';
import { viewCatalog } from './view-catalog';

/**
 * Main navigation. Tab reaches the current item; arrow keys, Home and End move between items;
 * Alt+1..8 jumps from anywhere (see useViewShortcuts).
 */
export function Sidebar() {
  const view = useAppStore((state) => state.view);
  const navigate = useAppStore((state) => state.navigate);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  function onKeyDown(event: KeyboardEvent<HTMLElement>, index: number) {
    const last = viewIds.length - 1;
    const target = { ArrowDown: index === last ? 0 : index + 1, ArrowUp: index === 0 ? last : index - 1, Home: 0, End: last }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    buttons.current[target]?.focus();
  }

  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <span className="brand-mark">
          <Icon name="logo" size={22} />
        </span>
        <span className="brand-name">Nestlab</span>
      </div>
      <ul role="list">
        {viewIds.map((id, index) => (
          <li key={id}>
            <button
              type="button"
              ref={(element) => {
                buttons.current[index] = element;
              }}
              className="nav-item"
              aria-current={view === id ? 'page' : undefined}
              tabIndex={view === id ? 0 : -1}
              onClick={() => navigate(id)}
              onKeyDown={(event) => onKeyDown(event, index)}
              title={`${viewCatalog[id].label} (Alt+${index + 1})`}
            >
              <Icon name={viewCatalog[id].icon} />
              <span>{viewCatalog[id].label}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
