import { useEffect, useState } from 'react';
import type { ThemePreference } from '../../shared/contract';

const darkQuery = '(prefers-color-scheme: dark)';

/** Applies the theme to <html data-theme>, following the OS while the preference is "system". */
export function useTheme(preference: ThemePreference): void {
  const [osDark, setOsDark] = useState(() => window.matchMedia(darkQuery).matches);
  useEffect(() => {
    const query = window.matchMedia(darkQuery);
    const onChange = (event: MediaQueryListEvent) => setOsDark(event.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  const theme = preference === 'system' ? (osDark ? 'dark' : 'light') : preference;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
}
