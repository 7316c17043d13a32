import { useEffect } from 'react';
import { viewIds, type ViewId } from '../store/views';
import { viewFromHash } from '../store/navigation-slice';

/** Alt+1..8 opens a view from anywhere; the back and forward buttons follow the URL fragment. */
export function useViewShortcuts(navigate: (view: ViewId) => void): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const view = viewIds[Number(event.key) - 1];
      if (view) {
        event.preventDefault();
        navigate(view);
      }
    };
    const onPop = () => navigate(viewFromHash(window.location.hash));
    window.addEventListener('keydown', onKey);
    window.addEventListener('popstate', onPop);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('popstate', onPop);
    };
  }, [navigate]);
}
