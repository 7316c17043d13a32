/** The app version, injected at build time from package.json (see electron.vite.config.ts). */
declare const __NESTLAB_VERSION__: string | undefined;

export const appVersion: string = typeof __NESTLAB_VERSION__ === 'string' ? __NESTLAB_VERSION__ : '0.0.0-dev';
