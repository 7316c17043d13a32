import type { ITheme } from '@xterm/xterm';

/** xterm colours from the app's CSS variables, so terminals follow light and dark themes. */
export function terminalTheme(root: HTMLElement = document.documentElement): ITheme {
  const style = getComputedStyle(root);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const dark = root.dataset.theme === 'dark';
  return {
    background: read('--terminal-bg', dark ? '#101216' : '#ffffff'),
    foreground: read('--text', dark ? '#e7eaef' : '#1b1f24'),
    cursor: read('--accent', '#2f6fdb'),
    cursorAccent: read('--terminal-bg', dark ? '#101216' : '#ffffff'),
    selectionBackground: read('--terminal-selection', dark ? '#2c4a7a' : '#c9dbf7'),
    ...(dark ? darkAnsi : lightAnsi),
  };
}

const lightAnsi: ITheme = {
  black: '#1b1f24',
  red: '#c4342d',
  green: '#1f8a4c',
  yellow: '#8a5a00',
  blue: '#2f6fdb',
  magenta: '#9b3fb5',
  cyan: '#0f7c8c',
  white: '#5d6673',
  brightBlack: '#5d6673',
  brightRed: '#d9443c',
  brightGreen: '#26a65b',
  brightYellow: '#a86200',
  brightBlue: '#4a86e8',
  brightMagenta: '#b05ccc',
  brightCyan: '#1597a8',
  brightWhite: '#1b1f24',
};

const darkAnsi: ITheme = {
  black: '#3a3f4b',
  red: '#f0736b',
  green: '#4cc27c',
  yellow: '#e3a23b',
  blue: '#6b9cf0',
  magenta: '#c78ae0',
  cyan: '#4cc3d1',
  white: '#c9ced6',
  brightBlack: '#6b7280',
  brightRed: '#ff8f87',
  brightGreen: '#6fd897',
  brightYellow: '#f2c063',
  brightBlue: '#8fb5f5',
  brightMagenta: '#d9a6ee',
  brightCyan: '#7ad7e2',
  brightWhite: '#ffffff',
};
