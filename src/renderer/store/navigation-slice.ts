import type { StateCreator } from 'zustand';
import type { AppState } from './app-store';
import { isViewId, type ViewId } from './views';

export interface NavigationSlice {
  view: ViewId;
  navigate: (view: ViewId) => void;
}

/** The view follows the URL fragment (#/clusters), so reloads and the back button work. */
export function viewFromHash(hash: string): ViewId {
  const name = hash.replace(/^#\/?/, '');
  return isViewId(name) ? name : 'clusters';
}

export const createNavigationSlice: StateCreator<AppState, [], [], NavigationSlice> = (set) => ({
  view: viewFromHash(globalThis.location?.hash ?? ''),
  navigate: (view) => {
    set({ view });
    if (globalThis.location && globalThis.location.hash !== `#/${view}`) globalThis.history.pushState(null, '', `#/${view}`);
  },
});
