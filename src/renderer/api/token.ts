const storageKey = 'nestlab.token';

/**
 * Takes the browser-mode token from the URL fragment (#token=...), keeps it for this tab only
 * (sessionStorage, so a reload works) and removes it from the address bar and history.
 */
export function takeToken(
  location: Pick<Location, 'hash' | 'pathname' | 'search'>,
  history: Pick<History, 'replaceState'>,
  storage: Pick<Storage, 'getItem' | 'setItem'>,
): string | undefined {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match?.[1]) {
    storage.setItem(storageKey, match[1]);
    history.replaceState(null, '', location.pathname + location.search);
    return match[1];
  }
  return storage.getItem(storageKey) ?? undefined;
}
