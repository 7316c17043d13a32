import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
const define = { __NESTLAB_VERSION__: JSON.stringify(version) };

export default defineConfig({
  main: {
    define,
    build: {
      rollupOptions: {
        input: {
          // The desktop app's entry and browser mode's entry share every service module.
          index: resolve('src/main/electron/main.ts'),
          web: resolve('src/main/server/main.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // The sandbox lets a preload require only 'electron': bundle everything else into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload must be one CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    define,
    base: './',
    plugins: [react()],
    build: {
      rollupOptions: { input: resolve('src/renderer/index.html') },
    },
  },
});
